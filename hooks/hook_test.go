package hooks_test

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
)

type fault struct {
	Plugin, Hook string
	Value        any
}

// faultRecorder collects OnFault reports.
type faultRecorder struct {
	mu     sync.Mutex
	faults []fault
}

func (f *faultRecorder) onFault(plugin, hook string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := v.(error); ok { // compare errors by message
		v = err.Error()
	}
	f.faults = append(f.faults, fault{plugin, hook, v})
}

func (f *faultRecorder) get() []fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faults
}

func appender(tag string) lineFunc { return func(s string) string { return s + tag } }

func TestCallRecovers(t *testing.T) {
	const name = "tentacle.comm.protocol.gcode.sending"
	var boom = reflect.ValueOf("interpreted boom")
	tests := []struct {
		name       string
		handlers   map[string]lineFunc // plugin -> handler; plugins sort by name (same order)
		wantLine   string
		wantFaults []fault
	}{
		{
			name:     "no panic",
			handlers: map[string]lineFunc{"a": appender("a"), "b": appender("b")},
			wantLine: "G1ab",
		},
		{
			name: "middle panics",
			handlers: map[string]lineFunc{
				"a": appender("a"), "b": func(string) string { panic("boom") }, "c": appender("c"),
			},
			wantLine:   "G1ac",
			wantFaults: []fault{{"b", name, "boom"}},
		},
		{
			name: "first and last panic",
			handlers: map[string]lineFunc{
				"a": func(string) string { panic(fmt.Errorf("first")) }, "b": appender("b"),
				"c": func(string) string { panic(42) },
			},
			wantLine:   "G1b",
			wantFaults: []fault{{"a", name, "first"}, {"c", name, 42}},
		},
		{
			name: "consecutive panics",
			handlers: map[string]lineFunc{
				"a": func(string) string { panic(1) }, "b": func(string) string { panic(2) }, "c": appender("c"),
			},
			wantLine:   "G1c",
			wantFaults: []fault{{"a", name, 1}, {"b", name, 2}},
		},
		{
			name: "reflect.Value panic is unwrapped",
			handlers: map[string]lineFunc{
				"a": func(string) string { panic(boom) }, "b": appender("b"),
			},
			wantLine:   "G1b",
			wantFaults: []fault{{"a", name, "interpreted boom"}},
		},
		{
			name: "runtime error",
			handlers: map[string]lineFunc{
				"a": func(s string) string { var m map[string]int; m[s] = 1; return s }, "b": appender("b"),
			},
			wantLine:   "G1b",
			wantFaults: []fault{{"a", name, "assignment to entry in nil map"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec faultRecorder
			r := hooks.NewRegistry(hooks.Options{OnFault: rec.onFault})
			h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
			for p, fn := range tt.handlers {
				if err := r.Add(p, name, hooks.Registration{Func: fn}); err != nil {
					t.Fatal(err)
				}
			}
			line := "G1"
			h.Call(func(hd hooks.Handler[lineFunc]) { line = hd.Fn(line) })
			if line != tt.wantLine {
				t.Errorf("line = %q, want %q", line, tt.wantLine)
			}
			if diff := cmp.Diff(tt.wantFaults, rec.get()); diff != "" {
				t.Errorf("faults (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallWithoutOnFault(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: "x.y"})
	ran := 0
	_ = r.Add("a", "x.y", hooks.Registration{Func: func() { panic("a") }})
	_ = r.Add("b", "x.y", hooks.Registration{Func: func() { ran++ }})
	h.Call(func(hd hooks.Handler[func()]) { hd.Fn() })
	if ran != 1 {
		t.Errorf("ran %d handlers after the panic, want 1", ran)
	}
	// A panicking OnFault does not stop the dispatch either.
	r2 := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) { panic("in OnFault") }})
	h2 := hooks.MustDeclare[func()](r2, hooks.Spec{Name: "x.y"})
	_ = r2.Add("a", "x.y", hooks.Registration{Func: func() { panic("a") }})
	_ = r2.Add("b", "x.y", hooks.Registration{Func: func() { ran++ }})
	h2.Call(func(hd hooks.Handler[func()]) { hd.Fn() })
	if ran != 2 {
		t.Errorf("handler after a panicking OnFault did not run")
	}
	// No handlers: nothing happens.
	empty := hooks.MustDeclare[func()](r, hooks.Spec{Name: "empty.hook"})
	empty.Call(func(hooks.Handler[func()]) { t.Error("called for no handler") })
	if empty.CallUntil(func(hooks.Handler[func()]) bool { return true }) {
		t.Error("CallUntil with no handlers stopped")
	}
}

func TestCallUntil(t *testing.T) {
	const name = "tentacle.comm.protocol.atcommand.sending"
	type stopFunc = func(cmd string) bool
	var rec faultRecorder
	r := hooks.NewRegistry(hooks.Options{OnFault: rec.onFault})
	h := hooks.MustDeclare[stopFunc](r, hooks.Spec{Name: name})
	var calls []string
	add := func(p string, fn stopFunc) {
		if err := r.Add(p, name, hooks.Registration{Func: func(cmd string) bool { calls = append(calls, p); return fn(cmd) }}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", func(string) bool { return false })
	add("b", func(string) bool { panic("b") })
	add("c", func(cmd string) bool { return cmd == "pause" })
	add("d", func(string) bool { return true })

	tests := []struct {
		cmd       string
		wantStop  bool
		wantCalls []string
	}{
		{"pause", true, []string{"a", "b", "c"}},
		{"resume", true, []string{"a", "b", "c", "d"}},
	}
	for _, tt := range tests {
		calls = nil
		got := h.CallUntil(func(hd hooks.Handler[stopFunc]) bool { return hd.Fn(tt.cmd) })
		if got != tt.wantStop {
			t.Errorf("CallUntil(%q) = %v, want %v", tt.cmd, got, tt.wantStop)
		}
		if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
			t.Errorf("CallUntil(%q) calls (-want +got):\n%s", tt.cmd, diff)
		}
	}
	r.Remove("d", name)
	calls = nil
	if h.CallUntil(func(hd hooks.Handler[stopFunc]) bool { return hd.Fn("x") }) {
		t.Error("CallUntil stopped though no handler returned true")
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fault{{"b", name, "b"}, {"b", name, "b"}, {"b", name, "b"}}, rec.get()); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
}

// TestCallUntilAfterPanics: after a panic, the handlers after it are still
// called one by one, a second panic among them is recovered too, and the
// first that returns true still stops the calls.
func TestCallUntilAfterPanics(t *testing.T) {
	const name = "x.y"
	var rec faultRecorder
	r := hooks.NewRegistry(hooks.Options{OnFault: rec.onFault})
	h := hooks.MustDeclare[func() bool](r, hooks.Spec{Name: name})
	var calls []string
	add := func(p string, fn func() bool) {
		if err := r.Add(p, name, hooks.Registration{Func: func() bool { calls = append(calls, p); return fn() }}); err != nil {
			t.Fatal(err)
		}
	}
	add("a", func() bool { panic("a") })
	add("b", func() bool { return false })
	add("c", func() bool { panic("c") })
	add("d", func() bool { return true })
	add("e", func() bool { return true })
	if !h.CallUntil(func(hd hooks.Handler[func() bool]) bool { return hd.Fn() }) {
		t.Error("CallUntil did not stop")
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fault{{"a", name, "a"}, {"c", name, "c"}}, rec.get()); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
}

// TestCallGoexit: a handler that calls runtime.Goexit ends the calls (no
// recover stops it), and the handlers after it are not called on the way
// out, by Call or by CallUntil.
func TestCallGoexit(t *testing.T) {
	const name = "x.y"
	var rec faultRecorder
	r := hooks.NewRegistry(hooks.Options{OnFault: rec.onFault})
	h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
	var calls []string
	_ = r.Add("a", name, hooks.Registration{Func: func() { calls = append(calls, "a"); panic("a") }})
	_ = r.Add("b", name, hooks.Registration{Func: func() { calls = append(calls, "b"); runtime.Goexit() }})
	_ = r.Add("c", name, hooks.Registration{Func: func() { calls = append(calls, "c") }})
	for _, tc := range []struct {
		until bool
		first string // the first handler: "a" panics first, "b" exits at once
		want  []string
	}{{false, "a", []string{"a", "b"}}, {true, "a", []string{"a", "b"}}, {false, "b", []string{"b"}}, {true, "b", []string{"b"}}} {
		until := tc.until
		if tc.first == "b" {
			r.Remove("a", name)
		}
		calls = nil
		returned := false
		done := make(chan struct{})
		go func() {
			defer close(done)
			if until {
				h.CallUntil(func(hd hooks.Handler[func()]) bool { hd.Fn(); return false })
			} else {
				h.Call(func(hd hooks.Handler[func()]) { hd.Fn() })
			}
			returned = true
		}()
		<-done
		if returned {
			t.Errorf("until=%v, first %s: the call returned after a Goexit", until, tc.first)
		}
		if diff := cmp.Diff(tc.want, calls); diff != "" {
			t.Errorf("until=%v, first %s: calls (-want +got):\n%s", until, tc.first, diff)
		}
	}
	if diff := cmp.Diff([]fault{{"a", name, "a"}, {"a", name, "a"}}, rec.get()); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
}

func TestSnapshotImmutable(t *testing.T) {
	const name = "x.y"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
	_ = r.Add("b", name, hooks.Registration{Func: appender("b")})
	_ = r.Add("d", name, hooks.Registration{Func: appender("d")})
	typed := h.Handlers()
	untyped := r.Handlers(name)
	wantBefore := []placed{{"b", 1000}, {"d", 1000}}

	_ = r.Add("a", name, hooks.Registration{Func: appender("a")})
	_ = r.Add("c", name, hooks.Registration{Func: appender("c")})
	r.Remove("d", name)
	r.SetOrderOverrides(map[string]map[string]int{"b": {name: 2000}})

	if diff := cmp.Diff(wantBefore, typedPlaced(typed)); diff != "" {
		t.Errorf("typed snapshot changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantBefore, placedOf(untyped)); diff != "" {
		t.Errorf("untyped snapshot changed (-before +after):\n%s", diff)
	}
	wantAfter := []placed{{"a", 1000}, {"c", 1000}, {"b", 2000}}
	if diff := cmp.Diff(wantAfter, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("new typed snapshot (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantAfter, placedOf(r.Handlers(name))); diff != "" {
		t.Errorf("new untyped snapshot (-want +got):\n%s", diff)
	}
}

func TestHoldRelease(t *testing.T) {
	const name = "x.y"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
	_ = r.Add("keep", name, hooks.Registration{Func: identity, Order: 500, HasOrder: true})
	_ = r.Add("gone", name, hooks.Registration{Func: identity})
	before := typedPlaced(h.Handlers())

	r.Hold()
	r.Hold() // nested
	for i := range 5 {
		if err := r.Add(fmt.Sprintf("p%d", 4-i), name, hooks.Registration{Func: identity, Order: i % 2, HasOrder: true}); err != nil {
			t.Fatal(err)
		}
	}
	r.Remove("gone", name)
	if err := r.Add("p0", name, hooks.Registration{Func: identity}); !errors.Is(err, hooks.ErrDuplicateHandler) {
		t.Errorf("duplicate Add while held: %v", err)
	}
	// A typed hook declared while held over a prefix hook is published at Release.
	if err := r.Add("foo", "tentacle.plugin.foo.bar", hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	late := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: "tentacle.plugin.foo.bar"})

	want := []placed{{"p0", 0}, {"p2", 0}, {"p4", 0}, {"p1", 1}, {"p3", 1}, {"keep", 500}}
	if diff := cmp.Diff(before, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("typed view changed while held (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(want, placedOf(r.Handlers(name))); diff != "" {
		t.Errorf("untyped view while held (-want +got):\n%s", diff)
	}
	// Explain and more changes after a live read while still held.
	if got := len(r.Explain(name)); got != len(want) {
		t.Errorf("Explain while held: %d entries, want %d", got, len(want))
	}
	r.Remove("keep", name)
	want = want[:len(want)-1]
	if diff := cmp.Diff(want, placedOf(r.Handlers(name))); diff != "" {
		t.Errorf("untyped view while held, after Remove (-want +got):\n%s", diff)
	}

	r.Release()
	if diff := cmp.Diff(before, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("typed view changed before the outer Release (-before +after):\n%s", diff)
	}
	if late.Handlers() != nil {
		t.Errorf("late typed hook published while held: %v", late.Handlers())
	}
	r.Release()
	if diff := cmp.Diff(want, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("typed view after Release (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]placed{{"foo", 1000}}, typedPlaced(late.Handlers())); diff != "" {
		t.Errorf("late typed hook after Release (-want +got):\n%s", diff)
	}
	r.Release() // unmatched: no effect, no panic
	_ = r.Add("after", name, hooks.Registration{Func: identity})
	if n := len(h.Handlers()); n != len(want)+1 {
		t.Errorf("not published at once after the holds ended: %d handlers", n)
	}
}

// TestGuard: with Options.Guard, Registry.Handlers hands out each handler
// as the guard wrapped it, wrapped once per registered handler (not per
// snapshot), again once a declaration converts it; the typed hot path
// calls the handlers as registered.
func TestGuard(t *testing.T) {
	type wrapped struct{ plugin, hook string }
	var guarded []wrapped
	r := hooks.NewRegistry(hooks.Options{Guard: func(plugin, hook string, h any) any {
		guarded = append(guarded, wrapped{plugin, hook})
		switch fn := h.(type) {
		case func(string) string:
			return func(s string) string { return "guarded " + fn(s) }
		case Sending:
			return Sending(func(s string) string { return "guarded " + fn(s) })
		}
		t.Fatalf("guard of a %T", h)
		return nil
	}})
	const name = "tentacle.plugin.definer.note"
	if err := r.Add("a", name, hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	call := func(e tentacle.HookEntry) string { return e.Func.(func(string) string)("x") }
	if got := call(r.Handlers(name)[0]); got != "guarded x" {
		t.Errorf("handler as Handlers gives it: %q, want it guarded", got)
	}
	if err := r.Add("b", name, hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	es := r.Handlers(name)
	if len(es) != 2 || call(es[0]) != "guarded x" || call(es[1]) != "guarded x" {
		t.Fatalf("handlers after another was added: %+v", es)
	}
	want := []wrapped{{"a", name}, {"b", name}}
	if d := cmp.Diff(want, guarded, cmp.AllowUnexported(wrapped{})); d != "" {
		t.Errorf("guard calls (-want +got):\n%s", d)
	}
	// A declaration converts the handlers to its type: they are wrapped
	// again, and the typed dispatch calls them unwrapped.
	guarded = nil
	h := hooks.MustDeclare[Sending](r, hooks.Spec{Name: name})
	var typed []string
	h.Call(func(hd hooks.Handler[Sending]) { typed = append(typed, hd.Fn("x")) })
	if d := cmp.Diff([]string{"x", "x"}, typed); d != "" {
		t.Errorf("typed dispatch (-want +got):\n%s", d)
	}
	es = r.Handlers(name)
	if len(es) != 2 || len(guarded) != 2 {
		t.Fatalf("after the declaration: %d handlers, %d guard calls; want 2 and 2", len(es), len(guarded))
	}
	if got := es[0].Func.(Sending)("x"); got != "guarded x" {
		t.Errorf("a converted handler as Handlers gives it: %q, want it guarded", got)
	}
}
