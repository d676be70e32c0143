package comm

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proflabels"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// callLog is a tier.HookBatcher that notes each call it gets as text, and
// the profile labels of the goroutine that handed it each batch.
type callLog struct {
	mu     sync.Mutex
	calls  []string
	labels []map[string]string
}

func (l *callLog) CallHooks(calls []tier.HookCall, _ []any) {
	labels, _ := proflabels.Current()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.labels = append(l.labels, labels)
	for _, c := range calls {
		switch c.Hook {
		case server.HookGcodeSent:
			l.calls = append(l.calls, fmt.Sprintf("%s %s", c.Args[0], c.Args[1].(server.Command).Line))
		default:
			l.calls = append(l.calls, fmt.Sprintf("%s %s", c.Hook, c.Args[0]))
		}
	}
}

func (l *callLog) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// TestObserversBatched: a plugin's observe-only calls, of the sent and the
// received hook, reach its batcher with their hook and arguments, in
// order; its handlers are not called themselves. A batch is handed over
// under the labels of its first call's handler on the worker's loop, and
// the worker has its own back after it.
func TestObserversBatched(t *testing.T) {
	r := newRig(t, Options{})
	handler := func(string, server.Command) []server.Command { panic("called outside its batch") }
	if err := r.reg.Add("isolated", server.HookGcodeSent, hooks.Registration{Func: server.GcodeHook(handler),
		Filter: server.Filter{Observe: true, Commands: []string{"G1"}}, Timed: true, Tier: "process"}); err != nil {
		t.Fatal(err)
	}
	if err := r.reg.Add("isolated", server.HookGcodeReceived, hooks.Registration{Func: server.ReceivedHook(func(string) string { panic("called outside its batch") }),
		Filter: server.Filter{Observe: true, Prefixes: []string{"ok"}}, Timed: true, Tier: "process"}); err != nil {
		t.Fatal(err)
	}
	log := &callLog{}
	r.open(Options{Async: func(string) bool { return true }, Batcher: func(plugin string) tier.HookBatcher {
		if plugin != "isolated" {
			t.Errorf("batcher of %q asked for", plugin)
		}
		return log
	}})
	r.print("G1 X1", "G1 X2")
	r.waitFor("the observed calls", func() bool {
		got := log.got()
		i := slices.Index(got, "sent G1 X1")
		return i >= 0 && len(got)-i >= 4
	})
	got := log.got()
	got = got[max(0, slices.Index(got, "sent G1 X1")):] // the lines of the print
	want := []string{"sent G1 X1", server.HookGcodeReceived + " ok", "sent G1 X2", server.HookGcodeReceived + " ok"}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the batcher got %q, want %q first", got, want)
	}
	log.mu.Lock()
	for i, l := range log.labels {
		if l["tentacle_loop"] != "comm.async" || l["tentacle_plugin"] != "isolated" || l["tentacle_tier"] != "process" || l["tentacle_hook"] == "" {
			t.Errorf("batch %d handed over under labels %v, want the first call's handler's on comm.async", i, l)
		}
	}
	log.mu.Unlock()
	workers, err := proflabels.Of("comm.(*asyncCalls).work")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]map[string]string{{"tentacle_loop": "comm.async"}}, workers); d != "" {
		t.Errorf("labels of the idle observer's worker (-want +got):\n%s", d)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.faults) > 0 {
		t.Errorf("faults %q", r.faults)
	}
}
