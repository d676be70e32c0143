package hooks_test

import (
	"context"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proflabels"
)

// labelsNow returns the calling goroutine's profile labels.
func labelsNow(t *testing.T) map[string]string {
	t.Helper()
	got, err := proflabels.Current()
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A timed handler called on a loop runs under its plugin's, hook's and
// tier's labels added to the loop's, and the loop gets its own back after
// the call, also after a panic; an untimed handler runs under the loop's;
// a call on no loop keeps the caller's labels.
func TestCallLabels(t *testing.T) {
	const name = "test.labels"
	loop := hooks.NewLoop("test")
	base := map[string]string{"tentacle_loop": "test"}
	timed := func(plugin, tier string) map[string]string {
		return map[string]string{"tentacle_loop": "test", "tentacle_plugin": plugin, "tentacle_hook": name, "tentacle_tier": tier}
	}
	caller := map[string]string{"caller": "http"}
	callerCtx := pprof.WithLabels(context.Background(), pprof.Labels("caller", "http"))
	tests := []struct {
		name    string
		reg     hooks.Registration // Func is set by the test
		panics  bool
		loop    *hooks.Loop
		until   bool // CallUntilOn rather than CallOn
		during  map[string]string
		after   map[string]string
		initial context.Context // the goroutine's labels before (nil: the loop's)
	}{
		{name: "source on loop", reg: hooks.Registration{Timed: true, Tier: "source"}, loop: loop, during: timed("p", "source"), after: base},
		{name: "process on loop", reg: hooks.Registration{Timed: true, Tier: "process"}, loop: loop, during: timed("p", "process"), after: base},
		{name: "until on loop", reg: hooks.Registration{Timed: true, Tier: "source"}, loop: loop, until: true, during: timed("p", "source"), after: base},
		{name: "timed without tier", reg: hooks.Registration{Timed: true}, loop: loop,
			during: map[string]string{"tentacle_loop": "test", "tentacle_plugin": "p", "tentacle_hook": name}, after: base},
		{name: "panic", reg: hooks.Registration{Timed: true, Tier: "source"}, loop: loop, panics: true, during: timed("p", "source"), after: base},
		{name: "until panic", reg: hooks.Registration{Timed: true, Tier: "source"}, loop: loop, until: true, panics: true, during: timed("p", "source"), after: base},
		{name: "builtin on loop", loop: loop, during: base, after: base},
		{name: "timed on no loop", reg: hooks.Registration{Timed: true, Tier: "source"}, initial: callerCtx, during: caller, after: caller},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer pprof.SetGoroutineLabels(context.Background())
			r := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) {}})
			h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
			var during map[string]string
			reg := tc.reg
			reg.Func = func() {
				during = labelsNow(t)
				if tc.panics {
					panic("boom")
				}
			}
			if err := r.Add("p", name, reg); err != nil {
				t.Fatal(err)
			}
			if tc.initial != nil {
				pprof.SetGoroutineLabels(tc.initial)
			} else {
				tc.loop.Enter()
			}
			if tc.until {
				h.CallUntilOn(tc.loop, func(hd hooks.Handler[func()]) bool { hd.Fn(); return false })
			} else {
				h.CallOn(tc.loop, func(hd hooks.Handler[func()]) { hd.Fn() })
			}
			if d := cmp.Diff(tc.during, during); d != "" {
				t.Errorf("labels during the call (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.after, labelsNow(t)); d != "" {
				t.Errorf("labels after the call (-want +got):\n%s", d)
			}
		})
	}
}

// A plugin reinstalled into another tier with the same timing gets labels
// of its new tier; a handler called on two loops gets each loop's label.
func TestLabelsFollowTierAndLoop(t *testing.T) {
	defer pprof.SetGoroutineLabels(context.Background())
	const name = "test.labels"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
	var during map[string]string
	fn := func() { during = labelsNow(t) }
	call := func(l *hooks.Loop) map[string]string {
		l.Enter()
		h.CallOn(l, func(hd hooks.Handler[func()]) { hd.Fn() })
		return during
	}
	a, b := hooks.NewLoop("a"), hooks.NewLoop("b")
	want := func(loop, tier string) map[string]string {
		return map[string]string{"tentacle_loop": loop, "tentacle_plugin": "p", "tentacle_hook": name, "tentacle_tier": tier}
	}
	steps := []struct {
		tier string // "": no re-registration
		loop *hooks.Loop
		want map[string]string
	}{
		{tier: "source", loop: a, want: want("a", "source")},
		{loop: b, want: want("b", "source")},
		{loop: a, want: want("a", "source")},
		{tier: "process", loop: a, want: want("a", "process")},
	}
	for i, s := range steps {
		if s.tier != "" {
			r.Remove("p", name)
			if err := r.Add("p", name, hooks.Registration{Func: fn, Timed: true, Tier: s.tier}); err != nil {
				t.Fatal(err)
			}
		}
		if d := cmp.Diff(s.want, call(s.loop)); d != "" {
			t.Errorf("step %d: labels during the call (-want +got):\n%s", i, d)
		}
	}
}

// Labelling a timed handler's call on a loop allocates nothing once its
// labels are made.
func TestCallOnAllocs(t *testing.T) {
	defer pprof.SetGoroutineLabels(context.Background())
	const name = "test.labels"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func(int) int](r, hooks.Spec{Name: name})
	if err := r.Add("p", name, hooks.Registration{Func: func(n int) int { return n + 1 }, Timed: true, Tier: "source"}); err != nil {
		t.Fatal(err)
	}
	loop := hooks.NewLoop("test")
	loop.Enter()
	n := 0
	call := func(hd hooks.Handler[func(int) int]) { n = hd.Fn(n) }
	h.CallOn(loop, call)
	if a := testing.AllocsPerRun(100, func() { h.CallOn(loop, call) }); a != 0 {
		t.Errorf("CallOn allocates %v times per call, want 0", a)
	}
}

//go:noinline
func startedByHandler(release chan struct{}) { <-release }

// A goroutine a timed handler starts during a call on a loop carries the
// call's labels, so it counts as the plugin's.
func TestGoroutineStartedInCallIsThePlugins(t *testing.T) {
	defer pprof.SetGoroutineLabels(context.Background())
	const name = "test.labels"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
	release := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	started := make(chan struct{})
	fn := func() {
		wg.Go(func() { close(started); startedByHandler(release) })
	}
	if err := r.Add("p", name, hooks.Registration{Func: fn, Timed: true, Tier: "source"}); err != nil {
		t.Fatal(err)
	}
	loop := hooks.NewLoop("test")
	loop.Enter()
	h.CallOn(loop, func(hd hooks.Handler[func()]) { hd.Fn() })
	<-started
	want := []map[string]string{{"tentacle_loop": "test", "tentacle_plugin": "p", "tentacle_hook": name, "tentacle_tier": "source"}}
	for {
		got, err := proflabels.Of("hooks_test.startedByHandler")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			runtime.Gosched() // not parked yet
			continue
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("labels of the goroutine (-want +got):\n%s", d)
		}
		return
	}
}
