package printer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/printer"
	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
	"github.com/tentacle-go/tentacle/server"
)

// rig is a printer service on a hook registry with the virtual printer's
// hooks registered, as the bundled plugin registers them.
type rig struct {
	t      *testing.T
	s      *printer.Service
	reg    *hooks.Registry
	dir    string
	mu     sync.Mutex
	events []string
	pct    []int
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), reg: hooks.NewRegistry(hooks.Options{})}
	if err := r.reg.DeclareAll(server.Hooks()); err != nil {
		t.Fatal(err)
	}
	s, err := printer.New(printer.Options{
		Uploads: r.dir, Hooks: r.reg,
		Fire: func(event string, _ map[string]any) {
			r.mu.Lock()
			r.events = append(r.events, event)
			r.mu.Unlock()
		},
		Progress: func(_, _ string, p int) {
			r.mu.Lock()
			r.pct = append(r.pct, p)
			r.mu.Unlock()
		},
		TemperatureInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.s = s
	vp := &virtualprinter.Implementation{}
	for name, fn := range map[string]any{server.HookSerialFactory: server.SerialFactoryHook(vp.Open), server.HookSerialPortNames: server.PortNamesHook(virtualprinter.PortNames)} {
		if err := r.reg.Add("virtual_printer", name, hooks.Registration{Func: fn}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = s.Close() })
	return r
}

func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			lines, _ := r.s.Log(0)
			r.t.Fatalf("timed out waiting for %s; state %+v; events %q; log tail:\n%s", what, r.s.State().State, r.eventsSeen(), strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *rig) eventsSeen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *rig) has(event string) bool {
	for _, e := range r.eventsSeen() {
		if e == event {
			return true
		}
	}
	return false
}

func TestPrintOnTheVirtualPrinter(t *testing.T) {
	r := newRig(t)
	if ports := r.s.Ports(); len(ports) == 0 || ports[len(ports)-1] != virtualprinter.Port {
		t.Fatalf("ports %q do not end with %s", ports, virtualprinter.Port)
	}
	if err := r.s.Connect(virtualprinter.Port, 0); err != nil {
		t.Fatal(err)
	}
	r.waitFor("Operational", func() bool { return r.s.State().State.Flags.Ready })
	var file strings.Builder
	for i := range 500 {
		fmt.Fprintf(&file, "G1 X%d E1\n", i%100)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "cube.gcode"), []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.s.SelectFile("cube.gcode", true); err != nil {
		t.Fatal(err)
	}
	r.waitFor("PrintDone", func() bool { return r.has(server.EventPrintDone) })
	r.waitFor("100%", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.pct) > 0 && r.pct[len(r.pct)-1] == 100 })
	r.mu.Lock()
	for i, p := range r.pct {
		if p != i {
			t.Fatalf("progress %v: not every percent once, in order", r.pct)
		}
	}
	r.mu.Unlock()
	for _, e := range []string{server.EventConnecting, server.EventConnected, server.EventFileSelected, server.EventPrintStarted, server.EventPrintDone} {
		if !r.has(e) {
			t.Errorf("no %s event in %q", e, r.eventsSeen())
		}
	}
	st := r.s.State()
	if !st.State.Flags.Ready || st.Firmware.Name == "" {
		t.Errorf("state after the print: %+v", st)
	}
	// The progress stays at the end of the print, as OctoPrint's does.
	p := st.Progress
	if p.Completion != 100 || p.Filepos != int64(file.Len()) || p.PrintTimeLeft != 0 || p.PrintTime <= 0 || p.Lines != 500 {
		t.Errorf("progress after the print: %+v, want 100%%, filepos %d, 500 lines, a print time and none left", p, file.Len())
	}
	if err := r.s.SelectFile("cube.gcode", false); err != nil {
		t.Fatal(err)
	}
	if p := r.s.State().Progress; p != (server.Progress{}) {
		t.Errorf("progress after selecting the file again: %+v, want none", p)
	}
}
