package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugintest"

	"example.com/tentacle-notifier/notify"
)

// sensors stands in for the notifier's notify.Sensors.
type sensors []string

func (s sensors) Names() []string { return s }

// logged waits a little for the plugin's log record with every part: its
// process's output reaches the host's log a moment after it is written.
func logged(h *plugintest.Harness, parts ...string) bool {
	for deadline := time.Now().Add(5 * time.Second); !h.Logged(parts...); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// TestJournalAsProcess builds the plugin and runs it in a process of its
// own, in a test host that knows the notifier's mixins, hook and
// injectable, as the notifier runs it.
func TestJournalAsProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin's executable")
	}
	var check *hooks.Hook[notify.Check]
	h := plugintest.NewProcess(t, "journal", ".", plugintest.Options{
		Config: "plugins:\n  journal:\n    jump: 2\n",
		Mixins: notify.Mixins(),
		Declare: func(r *hooks.Registry) {
			check = hooks.MustDeclare[notify.Check](r, hooks.Spec{Name: notify.CheckHook})
		},
		Injected: map[string]any{notify.InjectSensors: sensors{"attic", "cellar"}},
	})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	if !logged(h, "journal open", "[attic cellar]") {
		t.Errorf("Initialize did not log the notifier's sensors:\n%s", h.Logs())
	}

	// The hook: a jump of more than 2 degrees (its setting) raises an alert.
	var alerts []notify.Alert
	for i, v := range []float64{20, 21, 24} {
		for _, hd := range check.Handlers() {
			alerts = append(alerts, hd.Fn(notify.Sample{Seq: i + 1, Sensor: "attic", Value: v})...)
		}
	}
	if len(alerts) != 1 || alerts[0].Seq != 3 || alerts[0].Level != notify.Critical || alerts[0].Text != "jumped from 21.0 to 24.0" {
		t.Fatalf("alerts %+v; want one, for the jump from 21 to 24", alerts)
	}

	// The mixin: the host reaches Send through notify's proxy.
	senders := manager.ImplementationsOf[notify.Sender](h.Manager, notify.SendContext)
	if len(senders) != 1 || senders[0].Plugin != "journal" {
		t.Fatalf("senders %+v", senders)
	}
	if err := senders[0].Value.Send(alerts[0]); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(h.BaseDir, "data", "journal", "alerts.jsonl"))
	if want := `{"seq":3,"sensor":"attic","level":"critical","text":"jumped from 21.0 to 24.0"}` + "\n"; err != nil || string(b) != want {
		t.Errorf("journal %q, %v; want %q", b, err, want)
	}

	if _, err := h.Disable(); err != nil {
		t.Fatal(err)
	}
	if !logged(h, "journal closed", "alerts=1") {
		t.Errorf("OnPluginDisabled did not close the journal:\n%s", h.Logs())
	}
	if in := h.Info(); in.Enabled || in.Process != nil && in.Process.PID != 0 {
		t.Errorf("after disable: enabled %v, process %+v; want its process gone", in.Enabled, in.Process)
	}
}
