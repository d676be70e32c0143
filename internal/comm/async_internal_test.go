package comm

import (
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
)

// TestAsyncSkipCounted: a call that finds an observer's queue full is
// skipped, and counted as a skip of the handler.
func TestAsyncSkipCounted(t *testing.T) {
	const name = "test.async"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
	if err := r.Add("observer", name, hooks.Registration{Func: func() {}}); err != nil {
		t.Fatal(err)
	}
	st := h.Handlers()[0].Stats
	a := newAsyncCalls(func(string, ...any) {})
	release := make(chan struct{})
	started := make(chan struct{})
	a.deliver("observer", st, func() { close(started); <-release }, func(string, any) {})
	<-started // the worker is busy: the queue fills
	for range asyncQueue + 2 {
		a.deliver("observer", st, func() {}, func(string, any) {})
	}
	close(release)
	a.close()
	stats := r.Stats()
	if len(stats) != 1 || stats[0].Skipped != 2 {
		t.Errorf("stats %+v; want 2 skipped calls", stats)
	}
}
