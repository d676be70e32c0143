package conformance

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

func init() {
	register(
		test{"GetHooks", testGetHooks},
		test{"SortedHooks", testSortedHooks},
		test{"OrderZero", testOrderZero},
		test{"OrderOverrides", testOrderOverrides},
		test{"HookChangeSeenOnNextCall", testHookChangeSeenOnNextCall},
		test{"HookHandlerPanic", testHookHandlerPanic},
		test{"SortedImplementations", testSortedImplementations},
		test{"MixinCallPanic", testMixinCallPanic},
		test{"Helpers", testHelpers},
		test{"HelperPanic", testHelperPanic},
		test{"PluginDefinedHook", testPluginDefinedHook},
		test{"HostMixin", testHostMixin},
	)
}

// Port of OctoPrint's test_get_hooks.
func testGetHooks(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: octoprintSet})
	entries := h.m.PluginManager().Handlers(HookStartup)
	if len(entries) != 1 || entries[0].Plugin != "hook_plugin" {
		t.Fatalf("handlers of %s: %+v", HookStartup, entries)
	}
	var got string
	switch fn := entries[0].Func.(type) {
	case probe.StringHook:
		got = fn()
	case func() string:
		got = fn()
	default:
		t.Fatalf("handler has type %T", fn)
	}
	if got != "success" {
		t.Errorf("handler returned %q, want success", got)
	}
	var typed []string
	h.startup.Call(func(hd hooks.Handler[probe.StringHook]) { typed = append(typed, hd.Plugin+"="+hd.Fn()) })
	diff(t, "typed dispatch", []string{"hook_plugin=success"}, typed)
	if got := h.m.PluginManager().Handlers("conformance.unknown"); len(got) != 0 {
		t.Errorf("unknown hook has handlers %+v", got)
	}
}

// Port of OctoPrint's test_sorted_hooks.
func testSortedHooks(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: octoprintSet})
	want := []string{"one_ordered_hook_plugin", "another_ordered_hook_plugin", "hook_plugin"}
	diff(t, "handler order", want, h.handlerPlugins(HookOrdered))
	diff(t, "call order", want, h.orderedCalls())
}

// Order 0 is a real order, before 10 (OctoPrint turns 0 into 1000).
func testOrderZero(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin", "hook_plugin", "zero_order_plugin"}})
	diff(t, "call order", []string{"zero_order_plugin", "one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
}

// plugins._sortingOrder.<id>.<hook> overrides a handler's order, and the
// explanation says so.
func testOrderOverrides(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		fixtures: []string{"one_ordered_hook_plugin", "another_ordered_hook_plugin", "hook_plugin"},
		config:   "plugins:\n  _sortingOrder:\n    hook_plugin:\n      conformance.ordered: 0\n    one_ordered_hook_plugin:\n      conformance.ordered: 500\n",
	})
	diff(t, "call order", []string{"hook_plugin", "another_ordered_hook_plugin", "one_ordered_hook_plugin"}, h.orderedCalls())
	ex := h.m.Hooks().Explain(HookOrdered)
	if len(ex) != 3 {
		t.Fatalf("explanation has %d entries", len(ex))
	}
	if ex[0].Plugin != "hook_plugin" || ex[0].From != hooks.OrderConfig || ex[0].Order != 0 {
		t.Errorf("first explanation %+v, want hook_plugin at 0 from config", ex[0])
	}
	if ex[1].From != hooks.OrderPlugin || ex[2].From != hooks.OrderConfig || ex[2].Declared != 10 {
		t.Errorf("explanations %+v", ex)
	}
	// Disabling a plugin with an overridden order removes its handler
	// (OctoPrint's disable computes the tuple without the override and
	// leaves it registered).
	if _, err := h.m.Disable(context.Background(), "hook_plugin"); err != nil {
		t.Fatal(err)
	}
	diff(t, "after disable", []string{"another_ordered_hook_plugin", "one_ordered_hook_plugin"}, h.orderedCalls())
}

// A handler list taken before a change stays as it was; the next call sees
// the change, with no reconnect.
func testHookChangeSeenOnNextCall(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin", "hook_plugin"}})
	before := h.ordered.Handlers()
	ctx := context.Background()
	if _, err := h.m.Disable(ctx, "one_ordered_hook_plugin"); err != nil {
		t.Fatal(err)
	}
	if len(before) != 2 {
		t.Errorf("an earlier snapshot changed: %d handlers", len(before))
	}
	diff(t, "after disable", []string{"hook_plugin"}, h.orderedCalls())
	if _, err := h.m.Enable(ctx, "one_ordered_hook_plugin"); err != nil {
		t.Fatal(err)
	}
	diff(t, "after enable", []string{"one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
}

// A panicking handler is recovered, counted and logged with the plugin's
// identifier; the other handlers still run.
func testHookHandlerPanic(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "one_ordered_hook_plugin", "hook_plugin"}})
	probe.SetFault("lifecycle", "hook", probe.ModePanic)
	diff(t, "calls", []string{"one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
	in := h.info("lifecycle")
	if in.Faults != 1 || !strings.Contains(in.LastFault, HookOrdered) || !strings.Contains(in.LastFault, "panicked at hook") {
		t.Errorf("faults=%d last=%q", in.Faults, in.LastFault)
	}
	if !h.logs.has("plugin fault", "plugin=lifecycle") {
		t.Error("fault not logged with the plugin's identifier")
	}
	h.wantState("lifecycle", manager.StateEnabled)
}

// Port of OctoPrint's test_get_implementations and
// test_get_sorted_implementations, plus a config override.
func testSortedImplementations(t *testing.T, tr Tier) {
	ids := func(impls []manager.Impl[probe.Startup]) []string {
		var out []string
		for _, impl := range impls {
			out = append(out, impl.Plugin)
		}
		return out
	}
	h := newHost(t, tr, setup{fixtures: octoprintSet})
	diff(t, "no context", []string{"mixed_plugin", "startup_plugin"}, ids(manager.ImplementationsOf[probe.Startup](h.m, "")))
	diff(t, "sorting_test", []string{"startup_plugin", "mixed_plugin"}, ids(manager.ImplementationsOf[probe.Startup](h.m, "sorting_test")))
	diff(t, "other context", []string{"mixed_plugin", "startup_plugin"}, ids(manager.ImplementationsOf[probe.Startup](h.m, "other")))

	o := newHost(t, tr, setup{fixtures: octoprintSet, config: "plugins:\n  _sortingOrder:\n    mixed_plugin:\n      sorting_test: 1\n"})
	diff(t, "override", []string{"mixed_plugin", "startup_plugin"}, ids(manager.ImplementationsOf[probe.Startup](o.m, "sorting_test")))

	b := newHost(t, tr, setup{fixtures: []string{"mixed_plugin"}, bundled: []string{"startup_plugin"}})
	diff(t, "bundled first at equal keys", []string{"startup_plugin", "mixed_plugin"}, ids(manager.ImplementationsOf[probe.Startup](b.m, "")))
}

// CallEach recovers a panicking implementation, counts it and still calls
// the others; a panicking SortingKey sorts at the default.
func testMixinCallPanic(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "startup_plugin", "mixed_plugin"}})
	probe.SetFault("lifecycle", "startup", probe.ModePanic)
	probe.SetFault("lifecycle", "sorting", probe.ModePanic)
	var called []string
	err := manager.CallEach(h.m, "sorting_test", func(id string, s probe.Startup) error {
		called = append(called, id)
		s.OnStartup("localhost", 5000)
		return nil
	})
	wantLifecycleErr(t, err, "lifecycle", manager.PhaseCall)
	diff(t, "call order", []string{"startup_plugin", "mixed_plugin", "lifecycle"}, called)
	if in := h.info("lifecycle"); in.Faults != 2 {
		t.Errorf("faults = %d, want 2 (SortingKey and OnStartup)", in.Faults)
	}
}

// Port of OctoPrint's helper semantics: the named helpers of an enabled
// plugin, nothing for an unknown or disabled one.
func testHelpers(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"helper_plugin", "hook_plugin"}})
	view := h.m.PluginManager()
	all := view.Helpers("helper_plugin")
	if len(all) != 2 {
		t.Fatalf("helpers = %v, want add and greet", all)
	}
	some := view.Helpers("helper_plugin", "add", "missing")
	if len(some) != 1 {
		t.Fatalf("helpers(add, missing) = %v, want only add", some)
	}
	add, err := helperAs[func(int, int) int](h, "helper_plugin", "add")
	if err != nil {
		t.Fatalf("helper add: %v", err)
	}
	if got := add(2, 3); got != 5 {
		t.Errorf("add(2, 3) = %d", got)
	}
	// The same helper as a function of another type of the same shape: its
	// values are converted, as across a process boundary.
	type count int
	addCounts, err := helperAs[func(count, count) count](h, "helper_plugin", "add")
	if err != nil {
		t.Fatalf("helper add as func(count, count) count: %v", err)
	}
	if got := addCounts(4, 5); got != 9 {
		t.Errorf("add(4, 5) = %d", got)
	}
	for _, c := range []struct{ id, name string }{{"helper_plugin", "missing"}, {"unknown", "add"}, {"hook_plugin", "add"}} {
		if _, err := helperAs[func(int, int) int](h, c.id, c.name); !errors.Is(err, tentacle.ErrNoHelper) {
			t.Errorf("helper %s of %s: error %v, want ErrNoHelper", c.name, c.id, err)
		}
	}
	if err := view.Helper("helper_plugin", "add", add); err == nil {
		t.Error("Helper with a func, not a pointer to one, succeeded")
	}
	if got := view.Helpers("hook_plugin"); len(got) != 0 {
		t.Errorf("hook_plugin exports %v", got)
	}
	if got := view.Helpers("unknown"); got != nil {
		t.Errorf("unknown plugin exports %v", got)
	}
	if _, err := h.m.Disable(context.Background(), "helper_plugin"); err != nil {
		t.Fatal(err)
	}
	if got := view.Helpers("helper_plugin"); got != nil {
		t.Errorf("disabled plugin exports %v", got)
	}
	if _, err := helperAs[func(int, int) int](h, "helper_plugin", "add"); !errors.Is(err, tentacle.ErrNoHelper) {
		t.Errorf("helper of a disabled plugin: error %v, want ErrNoHelper", err)
	}
}

// A helper that panics returns zero values and an error, counted against
// the plugin that exported it.
func testHelperPanic(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"helper_plugin"}})
	greet, err := helperAs[func(string) (string, error)](h, "helper_plugin", "greet")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := greet("you"); got != "hello you" || err != nil {
		t.Fatalf("greet = %q, %v", got, err)
	}
	probe.SetFault("helper_plugin", "helper", probe.ModePanic)
	got, err := greet("you")
	var pe *manager.PanicError
	if got != "" || !errors.As(err, &pe) {
		t.Fatalf("greet after a panic = %q, %v; want zero value and a PanicError", got, err)
	}
	if in := h.info("helper_plugin"); in.Faults != 1 {
		t.Errorf("faults = %d, want 1", in.Faults)
	}
}

// A plugin calls the handlers of a hook it defines for itself (one no host
// declares) as functions of its own type, whichever tier runs them: the
// test stands for the defining plugin, with a struct of its own that
// mirrors the handler's.
func testPluginDefinedHook(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"notes_plugin"}})
	type reading struct {
		City    string  `json:"city"`
		Celsius float64 `json:"celsius"`
	}
	entries := h.m.PluginManager().Handlers("tentacle.plugin.definer.notes")
	if len(entries) != 1 || entries[0].Plugin != "notes_plugin" || entries[0].Order != 5 {
		t.Fatalf("handlers = %+v, want notes_plugin's at order 5", entries)
	}
	var notes func(reading) string
	if err := entries[0].As(&notes); err != nil {
		t.Fatalf("As(&func(reading) string): %v", err)
	}
	for _, c := range []struct {
		in   reading
		want string
	}{{reading{"Berlin", -3.5}, "Berlin: freezing"}, {reading{"Rome", 21}, "Rome: 21.0 °C"}} {
		if got := notes(c.in); got != c.want {
			t.Errorf("notes(%+v) = %q, want %q", c.in, got, c.want)
		}
	}
	if err := entries[0].As(notes); err == nil {
		t.Error("As with a func, not a pointer to one, succeeded")
	}
}

// A mixin the host declares (the suite's probe.Startup, declared in this
// package only, with its proxy) reaches a plugin of every tier: detected,
// listed under its Go name and called, with no tier knowing of it.
func testHostMixin(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"startup_plugin"}})
	if in := h.info("startup_plugin"); !slices.Contains(in.Mixins, "probe.Startup") {
		t.Fatalf("startup_plugin's mixins %q lack probe.Startup", in.Mixins)
	}
	impls := manager.ImplementationsOf[probe.Startup](h.m, "")
	if len(impls) != 1 || impls[0].Plugin != "startup_plugin" {
		t.Fatalf("probe.Startup implementations = %+v, want startup_plugin's", impls)
	}
	before := len(probe.EventsOf("startup_plugin"))
	impls[0].Value.OnStartup("localhost", 5000)
	if got := probe.EventsOf("startup_plugin")[before:]; !slices.Equal(got, []string{"startup"}) {
		t.Errorf("events after OnStartup = %q, want [startup]", got)
	}
}
