package hooks_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/wire"
)

type timeoutErr struct{}

func (timeoutErr) Error() string { return "overran" }
func (timeoutErr) Timeout() bool { return true }

// TestStats counts the calls and failures of Call, CallUntil and Report,
// by plugin, timed or not, and keeps them across removal.
func TestStats(t *testing.T) {
	const name = "test.stats"
	r := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) {}})
	h := hooks.MustDeclare[func(n int)](r, hooks.Spec{Name: name})
	add := func(plugin string, timed bool, fn func(int)) {
		t.Helper()
		if err := r.Add(plugin, name, hooks.Registration{Func: fn, Timed: timed}); err != nil {
			t.Fatal(err)
		}
	}
	add("builtin", false, func(n int) {
		if n == 1 {
			panic("boom")
		}
	})
	add("process", true, func(n int) {
		switch n {
		case 2:
			panic(&wire.CallError{Err: fmt.Errorf("call: %w", timeoutErr{})})
		case 3:
			panic(&wire.CallError{Err: errors.New("process gone")})
		}
	})
	for n := range 4 {
		h.Call(func(hd hooks.Handler[func(int)]) { hd.Fn(n) })
	}
	h.CallUntil(func(hd hooks.Handler[func(int)]) bool { hd.Fn(0); return false })
	for _, hd := range h.Handlers() {
		hd.Stats.Skip()
	}
	h.Report("builtin", "reported")
	r.Remove("builtin", name)

	want := map[string]hooks.HandlerStats{
		"builtin": {Plugin: "builtin", Hook: name, Calls: 5, Skipped: 1, Panics: 2},
		"process": {Plugin: "process", Hook: name, Calls: 5, Skipped: 1, Errors: 1, Overruns: 1, Timed: true},
	}
	got := r.Stats()
	if len(got) != len(want) {
		t.Fatalf("Stats() = %d entries, want %d: %+v", len(got), len(want), got)
	}
	for _, g := range got {
		w := want[g.Plugin]
		var n uint64
		for _, c := range g.Latency {
			n += c
		}
		if g.Timed && (n != 5 || g.Sum <= 0) {
			t.Errorf("%s: latency counts %d calls (sum %v), want 5", g.Plugin, n, g.Sum)
		}
		if !g.Timed && n != 0 {
			t.Errorf("%s: untimed handler has latency counts %v", g.Plugin, g.Latency)
		}
		g.Latency, g.Sum = w.Latency, w.Sum
		if g != w {
			t.Errorf("Stats() for %s =\n%+v, want\n%+v", g.Plugin, g, w)
		}
	}
}

// TestStatsNil checks that a handler without stats counts nothing and does
// not fail.
// A plugin whose handler comes back in a tier timed otherwise (a builtin
// reinstalled as a process plugin) gets new counts, timed as its tier is.
func TestStatsTierChange(t *testing.T) {
	const name = "test.stats"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
	for _, timed := range []bool{false, true} {
		if err := r.Add("p", name, hooks.Registration{Func: func() {}, Timed: timed}); err != nil {
			t.Fatal(err)
		}
		h.Call(func(hd hooks.Handler[func()]) { hd.Fn() })
		st := r.Stats()
		if len(st) != 1 || st[0].Timed != timed || st[0].Calls != 1 {
			t.Errorf("registered timed=%v: %+v, want one timed=%v with one call", timed, st, timed)
		}
		r.Remove("p", name)
	}
}

func TestStatsNil(t *testing.T) {
	var s *hooks.Stats
	s.End(s.Begin())
	s.Skip()
	s.Fail("x")
}
