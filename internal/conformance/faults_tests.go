package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

// The tests of faults in code one plugin calls of another (a handler of a
// hook it defines, a helper): the fault is the plugin's whose code failed,
// never its caller's, and the caller gets zero values, or an error where
// the function's type has one.
func init() {
	register(
		test{"HandlerFaultCharged", testHandlerFaultCharged},
		test{"NestedFaultCharged", testNestedFaultCharged},
		test{"NestedFaultInLifecycle", testNestedFaultInLifecycle},
		test{"HelperFaultWithoutError", testHelperFaultWithoutError},
		test{"HandlerOverrun", testHandlerOverrun},
	)
}

// entry returns plugin's handler of hook, as PluginManager().Handlers
// gives it, failing the test when there is none.
func (h *host) entry(hook, plugin string) tentacle.HookEntry {
	h.t.Helper()
	for _, e := range h.m.PluginManager().Handlers(hook) {
		if e.Plugin == plugin {
			return e
		}
	}
	h.t.Fatalf("no handler of %s by %s", hook, plugin)
	return tentacle.HookEntry{}
}

// noPanic calls fn and fails the test if a panic reaches the caller.
func noPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked in its caller: %v", what, r)
		}
	}()
	fn()
}

// wantFaults checks plugin id's count of faults and that its last fault
// says each of parts.
func (h *host) wantFaults(id string, n int64, parts ...string) {
	h.t.Helper()
	in := h.info(id)
	if in.Faults != n {
		h.t.Errorf("%s has %d faults, want %d (last: %q)", id, in.Faults, n, in.LastFault)
	}
	for _, p := range parts {
		if !strings.Contains(in.LastFault, p) {
			h.t.Errorf("%s's last fault %q does not say %q", id, in.LastFault, p)
		}
	}
}

// A handler that a plugin gets with Handlers and As (here the test, as
// the definer would) and that panics is recovered where it is called:
// counted against the handler's plugin, in phase hook with the hook's
// name; the caller gets the zero value, or an error as the final result
// of a function type that has one. An error the handler returns is
// returned as it is, and is no fault.
func testHandlerFaultCharged(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"definer", "faulty"}})
	var note func(string) string
	if err := h.entry(HookNote, "faulty").As(&note); err != nil {
		t.Fatal(err)
	}
	if got := note("x"); got != "noted x" {
		t.Fatalf("note(x) = %q", got)
	}
	probe.SetFault("faulty", "note", probe.ModePanic)
	got := "unset"
	noPanic(t, "a handler", func() { got = note("x") })
	if got != "" {
		t.Errorf("a panicking handler returned %q, want the zero value", got)
	}
	h.wantFaults("faulty", 1, "hook "+HookNote, "panic: faulty panicked at note")
	if last := h.info("faulty").LastFault; strings.Contains(last, "panic: panic") {
		t.Errorf("last fault %q says panic twice", last)
	}
	if !h.logs.has("plugin fault", "plugin=faulty") {
		t.Error("fault not logged with the handler's plugin")
	}

	var checked func(string) (string, error)
	if err := h.entry(HookChecked, "faulty").As(&checked); err != nil {
		t.Fatal(err)
	}
	probe.SetFault("faulty", "checked", probe.ModeError)
	res, err := checked("x")
	if res != "" || err == nil || !strings.Contains(err.Error(), "failed at checked on purpose") {
		t.Errorf("checked(x) = %q, %v; want the handler's error", res, err)
	}
	h.wantFaults("faulty", 1)
	probe.SetFault("faulty", "checked", probe.ModePanic)
	noPanic(t, "a handler with an error result", func() { res, err = checked("x") })
	if res != "" {
		t.Errorf("a panicking handler returned %q, want the zero value", res)
	}
	wantLifecycleErr(t, err, "faulty", manager.PhaseHook)
	if pe := (*manager.PanicError)(nil); !errors.As(err, &pe) || !strings.Contains(err.Error(), "panicked at checked") {
		t.Errorf("error %v; want a *manager.PanicError saying what panicked", err)
	}
	h.wantFaults("faulty", 2, "hook "+HookChecked, "panicked at checked")
	h.wantState("faulty", manager.StateEnabled)
	h.wantFaults("definer", 0)
}

// The definer calls handlers of its hooks and another plugin's helper from
// its helpers and from its handler of a hook the host calls: when the
// code it calls panics, that code's plugin is charged, and the definer
// gets zero values or the error and goes on.
func testNestedFaultCharged(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"definer", "faulty"}})
	notes, err := helperAs[func(string) []string](h, "definer", "notes")
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "notes before a fault", []string{"faulty=noted x"}, notes("x"))
	probe.SetFault("faulty", "note", probe.ModePanic)
	var got []string
	noPanic(t, "the definer's helper", func() { got = notes("x") })
	diff(t, "notes from a helper", []string{"faulty="}, got)
	h.wantFaults("faulty", 1, "hook "+HookNote, "panicked at note")
	h.wantFaults("definer", 0)

	diff(t, "notes from a hook handler", []string{"definer:faulty="}, h.orderedCalls())
	h.wantFaults("faulty", 2, "hook "+HookNote)
	h.wantFaults("definer", 0)

	checked, err := helperAs[func(string) []string](h, "definer", "checked")
	if err != nil {
		t.Fatal(err)
	}
	probe.SetFault("faulty", "checked", probe.ModePanic)
	noPanic(t, "the definer's helper", func() { got = checked("x") })
	if len(got) != 1 || !strings.HasPrefix(got[0], "faulty error: ") || !strings.Contains(got[0], "panicked at checked") {
		t.Errorf("checked(x) = %q; want faulty's handler failing with an error saying it panicked", got)
	}
	h.wantFaults("faulty", 3, "hook "+HookChecked)

	shout, err := helperAs[func(string) string](h, "definer", "shout")
	if err != nil {
		t.Fatal(err)
	}
	if s := shout("x"); s != "X" {
		t.Fatalf("shout(x) = %q", s)
	}
	probe.SetFault("faulty", "shout", probe.ModePanic)
	s := "unset"
	noPanic(t, "the definer's helper", func() { s = shout("x") })
	if s != "" {
		t.Errorf("shout(x) through a panicking helper = %q, want the zero value", s)
	}
	h.wantFaults("faulty", 4, "helper shout", "panicked at shout")
	h.wantFaults("definer", 0)
	h.wantState("definer", manager.StateEnabled)
	h.wantState("faulty", manager.StateEnabled)
}

// A handler that panics while the definer calls it from its own lifecycle
// callback (OnPluginEnabled) is the handler's fault: the definer's enable
// succeeds.
func testNestedFaultInLifecycle(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"definer", "faulty"}, config: "plugins:\n  _disabled: [definer]\n"})
	probe.SetFault("faulty", "note", probe.ModePanic)
	if _, err := h.m.Enable(context.Background(), "definer"); err != nil {
		t.Fatalf("enable definer: %v", err)
	}
	h.wantState("definer", manager.StateEnabled)
	diff(t, "definer's events", []string{"enabled faulty="}, probe.EventsOf("definer"))
	h.wantFaults("faulty", 1, "hook "+HookNote, "panicked at note")
	if in := h.info("definer"); in.Faults != 0 || in.Error != nil {
		t.Errorf("definer: faults %d, error %+v; want none", in.Faults, in.Error)
	}
}

// A helper without an error result that panics returns zero values to
// its caller, counted against the helper's plugin.
func testHelperFaultWithoutError(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"faulty"}})
	shout, err := helperAs[func(string) string](h, "faulty", "shout")
	if err != nil {
		t.Fatal(err)
	}
	probe.SetFault("faulty", "shout", probe.ModePanic)
	s := "unset"
	noPanic(t, "a helper", func() { s = shout("x") })
	if s != "" {
		t.Errorf("a panicking helper returned %q, want the zero value", s)
	}
	h.wantFaults("faulty", 1, "call helper shout", "panicked at shout")
}

// A handler that overruns its deadline, in a tier that abandons such calls,
// is skipped: its caller (the host, or the definer) gets the zero value,
// and the overrun is a fault of the handler's plugin, counted as an
// overrun too. In a tier without deadlines the call runs to its end.
func testHandlerOverrun(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"definer", "faulty"}})
	deadline := h.props.HookDeadline
	sleep := 10 * time.Millisecond
	if deadline > 0 {
		sleep = 4 * deadline
	}
	var slow func(string) string
	if err := h.entry(HookSlow, "faulty").As(&slow); err != nil {
		t.Fatal(err)
	}
	slowAll, err := helperAs[func(string) []string](h, "definer", "slow")
	if err != nil {
		t.Fatal(err)
	}
	got, all := "unset", []string(nil)
	noPanic(t, "a handler", func() { got = slow(sleep.String()) })
	noPanic(t, "the definer's helper", func() { all = slowAll(sleep.String()) })
	if deadline == 0 {
		if want := "slept " + sleep.String(); got != want {
			t.Errorf("slow(%s) = %q, want %q", sleep, got, want)
		}
		diff(t, "the definer's calls", []string{"faulty=slept " + sleep.String()}, all)
		h.wantFaults("faulty", 0)
		return
	}
	if got != "" {
		t.Errorf("a handler that overran returned %q, want the zero value", got)
	}
	diff(t, "the definer's calls", []string{"faulty="}, all)
	h.wantFaults("faulty", 2, "hook "+HookSlow, "overran its deadline")
	in := h.info("faulty")
	if in.Process == nil || in.Process.Overruns != 2 {
		t.Errorf("faulty's process %+v; want 2 overruns", in.Process)
	}
	if strings.Contains(in.LastFault, "panic") {
		t.Errorf("last fault %q; an overrun is no panic", in.LastFault)
	}
	h.wantFaults("definer", 0)
	h.wantState("faulty", manager.StateEnabled)
}
