package conformance

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

func init() {
	register(
		test{"LifecycleOrder", testLifecycleOrder},
		test{"Injection", testInjection},
		test{"LifecycleEvents", testLifecycleEvents},
		test{"RollbackEachPhase", testRollbackEachPhase},
		test{"RollbackBadHooks", testRollbackBadHooks},
		test{"RollbackActivator", testRollbackActivator},
		test{"PanicInLoadAndUnload", testPanicInLoadAndUnload},
		test{"DisableFailureStillDisables", testDisableFailureStillDisables},
		test{"SettingsMigration", testSettingsMigration},
		test{"NothingVisibleBeforeCommit", testNothingVisibleBeforeCommit},
	)
}

// The documented order of every callback, from load to unload.
func testLifecycleOrder(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}})
	ctx := context.Background()
	if _, err := h.m.Disable(ctx, "lifecycle"); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, e := range probe.EventsOf("lifecycle") {
		if !strings.HasPrefix(e, "inject ") {
			calls = append(calls, e)
		}
	}
	want := []string{
		"check", "load", // load
		"enable", "defaults", "initialize", "enabled", // enable
		"disable", "disabled", // disable
		"unload",
	}
	diff(t, "callback order", want, calls)
}

// Port of OctoPrint's test_plugin_initializing: every injected property.
func testInjection(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}})
	var got []string
	for _, e := range probe.EventsOf("lifecycle") {
		if rest, ok := strings.CutPrefix(e, "inject "); ok {
			got = append(got, rest)
		}
	}
	// The host's injectables, unless they do not reach this tier's plugins.
	custom, factory := "custom value", "made for lifecycle"
	if !h.props.reaches("custom") {
		custom = "<nil>"
	}
	if !h.props.reaches("per_plugin") {
		factory = "<nil>"
	}
	want := []string{
		"identifier=lifecycle",
		"name=Lifecycle",
		"version=1.0.0",
		"info=lifecycle/" + tr.Name(),
		"data=" + filepath.Join(h.dir, "data", "lifecycle"),
		"setting=blue",
		"manager=true",
		"custom=" + custom,
		"factory=" + factory,
		"context=true",
	}
	diff(t, "injected properties", want, got)
	// A process plugin's records cross a pipe that is read apart from its
	// calls: one may arrive a moment after the call that wrote it returned.
	waitFor(t, "the plugin's logger named tentacle.plugins.lifecycle", func() bool {
		return h.logs.has("initialized", "plugin=lifecycle", "logger=tentacle.plugins.lifecycle")
	})
	// The context is cancelled on disable.
	c := pluginContext(t, h, "lifecycle")
	if _, err := h.m.Disable(context.Background(), "lifecycle"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	default:
		t.Error("the plugin's context was not cancelled on disable")
	}
}

// Lifecycle subscribers see loaded, enabled, disabled, unloaded, in order.
func testLifecycleEvents(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"hook_plugin"}, noStart: true})
	var got []string
	unsubscribe := h.m.Subscribe(func(ev manager.Transition) { got = append(got, ev.Plugin+" "+ev.Kind.String()) })
	ctx := context.Background()
	if err := h.m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Disable(ctx, "hook_plugin"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Enable(ctx, "hook_plugin"); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	unsubscribe()
	want := []string{"hook_plugin loaded", "hook_plugin enabled", "hook_plugin disabled", "hook_plugin enabled", "hook_plugin disabled", "hook_plugin unloaded"}
	if h.props.UnloadWhenDisabled {
		want = []string{"hook_plugin loaded", "hook_plugin enabled", "hook_plugin disabled", "hook_plugin unloaded",
			"hook_plugin loaded", "hook_plugin enabled", "hook_plugin disabled", "hook_plugin unloaded"}
	}
	diff(t, "events", want, got)
}

// A failure (error or panic) in any enable phase undoes everything done so
// far, in reverse, and leaves the plugin disabled with a typed error.
func testRollbackEachPhase(t *testing.T, tr Tier) {
	cases := []struct {
		point string
		phase manager.Phase
		// calls expected after the failing point, in order
		after []string
	}{
		{"enable", manager.PhaseEnable, []string{}},
		{"defaults", manager.PhaseInject, []string{"disable"}},
		{"initialize", manager.PhaseInitialize, []string{"disable"}},
		{"enabled", manager.PhaseEnabled, []string{"disable"}},
	}
	for _, tc := range cases {
		for _, mode := range []string{probe.ModeError, probe.ModePanic} {
			if tc.point == "defaults" && mode == probe.ModeError {
				continue // SettingsDefaults returns no error
			}
			if tc.point == "enabled" && mode == probe.ModeError {
				continue // OnPluginEnabled returns no error
			}
			t.Run(tc.point+"/"+mode, func(t *testing.T) {
				h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"}, noStart: true})
				probe.SetFault("lifecycle", tc.point, mode)
				err := h.m.Start(context.Background())
				le := wantLifecycleErr(t, err, "lifecycle", tc.phase)
				if mode == probe.ModePanic {
					var pe *manager.PanicError
					if !errors.As(le, &pe) {
						t.Errorf("a panic is not reported as *PanicError: %v", le)
					}
				}
				h.wantState("lifecycle", manager.StateDisabled)
				h.wantState("hook_plugin", manager.StateEnabled)
				h.wantNothingRegistered("lifecycle")
				in := h.info("lifecycle")
				if in.Error == nil || in.Error.Phase != tc.phase {
					t.Errorf("listing error = %+v, want phase %s", in.Error, tc.phase)
				}
				calls := probe.EventsOf("lifecycle")
				idx := indexOf(calls, tc.point)
				if idx < 0 {
					t.Fatalf("failing point %q never reached: %v", tc.point, calls)
				}
				diff(t, "calls after the failure", tc.after, calls[idx+1:])
				// The plugin can be enabled again once the fault is gone.
				probe.SetFault("lifecycle", tc.point, "")
				if _, err := h.m.Enable(context.Background(), "lifecycle"); err != nil {
					t.Fatalf("enable after fixing the fault: %v", err)
				}
				h.wantState("lifecycle", manager.StateEnabled)
				diff(t, "handlers after re-enable", []string{"lifecycle", "hook_plugin"}, h.handlerPlugins(HookOrdered))
			})
		}
	}
}

// Bad hooks are refused at enable: wrong handler type, unknown hook,
// obsolete hook. Nothing stays registered.
func testRollbackBadHooks(t *testing.T, tr Tier) {
	cases := map[string]string{
		"wrong_hook_type":      "wrong handler type",
		"unknown_hook":         "unknown hook",
		"obsolete_hook_plugin": "obsolete",
	}
	for id, want := range cases {
		t.Run(id, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{id, "hook_plugin"}})
			h.wantState(id, manager.StateDisabled)
			le := wantLifecycleErr(t, h.m.Err(id), id, manager.PhaseRegister)
			if !strings.Contains(le.Error(), want) || !strings.Contains(le.Error(), id) {
				t.Errorf("error %q does not say %q and name the plugin", le, want)
			}
			h.wantNothingRegistered(id)
			h.wantState("hook_plugin", manager.StateEnabled)
		})
	}
}

type failingActivator struct{ calls *[]string }

func (a failingActivator) Name() string { return "mount" }

func (a failingActivator) Activate(p manager.Plugin) error {
	*a.calls = append(*a.calls, "activate "+p.ID())
	if p.ID() == "lifecycle" {
		return errors.New("cannot mount")
	}
	return nil
}

func (a failingActivator) Deactivate(p manager.Plugin) {
	*a.calls = append(*a.calls, "deactivate "+p.ID())
}

// A host activator's failure rolls back the whole enable, including
// OnPluginEnabled (undone by OnPluginDisabled).
func testRollbackActivator(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"}, noStart: true})
	var calls []string
	h.m.AddActivator(failingActivator{calls: &calls})
	err := h.m.Start(context.Background())
	wantLifecycleErr(t, err, "lifecycle", manager.Phase("mount"))
	h.wantState("lifecycle", manager.StateDisabled)
	h.wantNothingRegistered("lifecycle")
	ev := probe.EventsOf("lifecycle")
	diff(t, "calls after enabled", []string{"disable", "disabled"}, ev[indexOf(ev, "enabled")+1:])
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	diff(t, "activator calls", []string{"activate hook_plugin", "activate lifecycle", "deactivate hook_plugin"}, calls)
}

func testPanicInLoadAndUnload(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"}, noStart: true})
	probe.SetFault("lifecycle", "load", probe.ModePanic)
	err := h.m.Start(context.Background())
	wantLifecycleErr(t, err, "lifecycle", manager.PhaseLoad)
	if in := h.info("lifecycle"); in.Loaded || in.Error == nil || in.Error.Phase != manager.PhaseLoad {
		t.Errorf("after a panic in Load: loaded=%v error=%+v", in.Loaded, in.Error)
	}
	h.wantState("hook_plugin", manager.StateEnabled)

	h2 := newHost(t, tr, setup{fixtures: []string{"lifecycle"}})
	probe.SetFault("lifecycle", "unload", probe.ModePanic)
	err = h2.m.Shutdown(context.Background())
	wantLifecycleErr(t, err, "lifecycle", manager.PhaseUnload)
	h2.wantState("lifecycle", manager.StateUnloaded)
}

// A Disable or OnPluginDisabled that fails does not keep the plugin
// enabled: everything is deregistered and the error is reported.
func testDisableFailureStillDisables(t *testing.T, tr Tier) {
	for _, point := range []string{"disable", "disabled"} {
		t.Run(point, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}})
			probe.SetFault("lifecycle", point, probe.ModePanic)
			_, err := h.m.Disable(context.Background(), "lifecycle")
			wantLifecycleErr(t, err, "lifecycle", manager.PhaseDisable)
			h.wantDisabled("lifecycle")
			h.wantNothingRegistered("lifecycle")
		})
	}
}

func testSettingsMigration(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"migrating_plugin"}, config: "plugins:\n  migrating_plugin:\n    _config_version: 1\n"})
	diff(t, "migration calls", []string{"migrate 1->3", "migrate"}, probe.EventsOf("migrating_plugin"))
	if v := h.store.GetInt("plugins.migrating_plugin._config_version"); v != 3 {
		t.Errorf("stored version %d, want 3", v)
	}
	// Once migrated, the next enable does not migrate again.
	ctx := context.Background()
	if _, err := h.m.Disable(ctx, "migrating_plugin"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Enable(ctx, "migrating_plugin"); err != nil {
		t.Fatal(err)
	}
	if n := len(probe.EventsOf("migrating_plugin")); n != 2 {
		t.Errorf("migrated again: %v", probe.EventsOf("migrating_plugin"))
	}
	// A failing migration aborts the enable.
	h2 := newHost(t, tr, setup{fixtures: []string{"migrating_plugin"}, noStart: true})
	probe.SetFault("migrating_plugin", "migrate", probe.ModeError)
	wantLifecycleErr(t, h2.m.Start(ctx), "migrating_plugin", manager.PhaseMigrate)
	h2.wantNothingRegistered("migrating_plugin")
	if h2.store.Has("plugins.migrating_plugin._config_version") {
		t.Error("settings version stored although the migration failed")
	}
	// With a configuration that does not parse, the migration runs and the
	// plugin is enabled; the version is not stored (the file is left alone).
	h3 := newHost(t, tr, setup{fixtures: []string{"migrating_plugin"}, config: "plugins: [\n"})
	h3.wantState("migrating_plugin", manager.StateEnabled)
	diff(t, "migration calls with a broken config", []string{"migrate 0->3", "migrate"}, probe.EventsOf("migrating_plugin"))
}

func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}

// Until an enable completes, the host sees none of what the plugin
// registered: no handler on the hot path, no helpers, no implementations.
func testNothingVisibleBeforeCommit(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "startup_plugin"}, config: "plugins:\n  _disabled: [lifecycle]\n"})
	var seen []string
	h.m.InjectFactory("spy", func(info tentacle.PluginInfo) (any, error) {
		if info.Identifier != "lifecycle" {
			return nil, nil
		}
		for _, hd := range h.ordered.Handlers() {
			seen = append(seen, "handler "+hd.Plugin)
		}
		if h.m.PluginManager().Helpers("lifecycle") != nil {
			seen = append(seen, "helpers")
		}
		for _, impl := range h.m.Implementations(startupMixin.Type, "") {
			seen = append(seen, "startup "+impl.Plugin)
		}
		return nil, nil
	})
	if _, err := h.m.Enable(context.Background(), "lifecycle"); err != nil {
		t.Fatal(err)
	}
	diff(t, "visible during inject", []string{"startup startup_plugin"}, seen)
	diff(t, "visible after enable", []string{"lifecycle"}, h.handlerPlugins(HookOrdered))
	if len(manager.ImplementationsOf[probe.Startup](h.m, "")) != 2 {
		t.Error("implementation not published after the enable")
	}

	// On disable, the host stops calling the plugin before its callbacks.
	// A plugin in a process of its own reports its points through the
	// host's services, on another goroutine: seen is guarded.
	var mu sync.Mutex
	seen = nil
	probe.OnPoint(func(plugin, point string) {
		if plugin != "lifecycle" || (point != "disable" && point != "disabled") {
			return
		}
		var got []string
		for _, hd := range h.ordered.Handlers() {
			got = append(got, point+": handler "+hd.Plugin)
		}
		if h.m.PluginManager().Helpers("lifecycle") != nil {
			got = append(got, point+": helpers")
		}
		for _, impl := range h.m.Implementations(startupMixin.Type, "") {
			got = append(got, point+": startup "+impl.Plugin)
		}
		mu.Lock()
		seen = append(seen, got...)
		mu.Unlock()
	})
	if _, err := h.m.Disable(context.Background(), "lifecycle"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	diff(t, "visible during disable", []string{"disable: startup startup_plugin", "disabled: startup startup_plugin"}, seen)
}
