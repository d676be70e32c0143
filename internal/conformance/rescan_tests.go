package conformance

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
)

func init() {
	register(
		test{"RescanUnchanged", testRescanUnchanged},
		test{"RescanOriginFails", testRescanOriginFails},
		test{"RescanNewPlugin", testRescanNewPlugin},
		test{"RescanNewBrokenThenFixed", testRescanNewBrokenThenFixed},
		test{"RescanRemovedPlugin", testRescanRemovedPlugin},
		test{"RescanChangedPlugin", testRescanChangedPlugin},
		test{"RescanChangedLoadFails", testRescanChangedLoadFails},
		test{"RescanChangedNotAPlugin", testRescanChangedNotAPlugin},
		test{"RescanChangedEnableFails", testRescanChangedEnableFails},
		test{"RescanChangedAfterFailedEnable", testRescanChangedAfterFailedEnable},
		test{"RescanChangedGated", testRescanChangedGated},
		test{"RescanRestartNeeding", testRescanRestartNeeding},
		test{"RescanShadowing", testRescanShadowing},
		test{"Reload", testReload},
		test{"LeftoverGoroutines", testLeftoverGoroutines},
	)
}

// mutable returns tr as a Mutable, skipping the test for adapters that
// cannot change their sources.
func mutable(t *testing.T, tr Tier) Mutable {
	t.Helper()
	mt, ok := tr.(Mutable)
	if !ok {
		t.Skipf("the %s adapter cannot change what its sources provide (conformance.Mutable)", tr.Name())
	}
	return mt
}

// lists are RescanResult's lists, for comparisons.
type lists struct{ Added, Removed, Reloaded, Pending []string }

// rescan rescans, checks the result's lists and returns its error, which
// must be the joined errors of RescanResult.Errors.
func (h *host) rescan(want lists) (manager.RescanResult, error) {
	h.t.Helper()
	res, err := h.m.Rescan(context.Background())
	none := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	diff(h.t, "rescan result",
		lists{none(want.Added), none(want.Removed), none(want.Reloaded), none(want.Pending)},
		lists{res.Added, res.Removed, res.Reloaded, res.Pending})
	for id, perr := range res.Errors {
		if !errors.Is(err, perr) {
			h.t.Errorf("the error of %s (%v) is not in Rescan's error %v", id, perr, err)
		}
	}
	return res, err
}

// events subscribes to transitions and returns them as
// "<plugin> <kind> <version>", in the order they fire.
func (h *host) events() *[]string {
	var got []string
	h.t.Cleanup(h.m.Subscribe(func(ev manager.Transition) {
		got = append(got, ev.Plugin+" "+ev.Kind.String()+" "+ev.Info.Version)
	}))
	return &got
}

// callsSince returns plugin's probe events from index since on.
func callsSince(plugin string, since int) []string {
	return append([]string{}, probe.EventsOf(plugin)[since:]...)
}

// which calls reloadable's helper, which says which version is enabled, or
// returns "" when it exports none.
func (h *host) which() string {
	h.t.Helper()
	fn, err := helperAs[func() string](h, "reloadable", "which")
	if err != nil {
		return ""
	}
	return fn()
}

// wantRunning checks that reloadable is enabled in version v ("v1", "v2"):
// its handler, its helper and its listing entry.
func (h *host) wantRunning(v string) {
	h.t.Helper()
	h.wantState("reloadable", manager.StateEnabled)
	diff(h.t, "handlers", []string{"one_ordered_hook_plugin", "reloadable " + v}, h.orderedCalls())
	if got := h.which(); got != v {
		h.t.Errorf("reloadable's helper says %q, want %q", got, v)
	}
	if got, want := h.info("reloadable").Version, map[string]string{"v1": "1.0.0", "v2": "2.0.0"}[v]; got != want {
		h.t.Errorf("listed version %q, want %q", got, want)
	}
}

// A rescan that finds nothing changed changes nothing: no event, no call
// into any plugin, no error. Stable digests are part of every tier.
func testRescanUnchanged(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin", "not_a_plugin"}})
	events := h.events()
	before := len(probe.Events())
	for range 2 {
		if _, err := h.rescan(lists{}); err != nil {
			t.Fatal(err)
		}
	}
	diff(t, "events", []string(nil), *events)
	diff(t, "plugin calls", []string{}, append([]string{}, probe.Events()[before:]...))
	h.wantRunning("v1")
}

// failingOrigin wraps a source whose scans fail while fail is set.
type failingOrigin struct {
	tier.Origin
	fail atomic.Bool
}

func (s *failingOrigin) Scan(ctx context.Context) ([]tier.Candidate, error) {
	if s.fail.Load() {
		return nil, errors.New("disk on fire")
	}
	return s.Origin.Scan(ctx)
}

// Plugins of a source that fails to scan are kept as they are: the manager
// cannot tell whether they changed. The source's error is returned.
func testRescanOriginFails(t *testing.T, tr Tier) {
	var fs *failingOrigin
	h := newHost(t, tr, setup{
		fixtures: []string{"reloadable", "one_ordered_hook_plugin"},
		wrap:     func(s tier.Origin) tier.Origin { fs = &failingOrigin{Origin: s}; return fs },
	})
	fs.fail.Store(true)
	_, err := h.rescan(lists{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Rescan error %v, want the source's", err)
	}
	h.wantRunning("v1")
	if _, err := h.m.Reload(context.Background(), "reloadable"); err == nil {
		t.Error("Reload succeeded although the plugin's source fails")
	} else {
		wantLifecycleErr(t, err, "reloadable", manager.PhaseReload)
	}
	h.wantRunning("v1")
	fs.fail.Store(false)
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
}

// A new plugin is added, gated, and left for the operator unless
// plugins._autoEnable is true; then it is loaded and enabled (or, when it
// needs a restart, loaded and pending install).
func testRescanNewPlugin(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	ctx := context.Background()
	t.Run("manual", func(t *testing.T) {
		h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin"}})
		events := h.events()
		mt.Put(t, h.src, "hook_plugin", "hook_plugin")
		if _, err := h.rescan(lists{Added: []string{"hook_plugin"}}); err != nil {
			t.Fatal(err)
		}
		in := h.info("hook_plugin")
		if in.State != "found" || in.Loaded || in.Enabled || in.Tier != tr.Name() || in.Name != "Hook Plugin" {
			t.Errorf("new plugin state=%s loaded=%v enabled=%v tier=%q name=%q, want found with its metadata", in.State, in.Loaded, in.Enabled, in.Tier, in.Name)
		}
		if !strings.Contains(in.Reason, "plugins._autoEnable is off") {
			t.Errorf("reason %q does not say why the new plugin waits", in.Reason)
		}
		diff(t, "handlers", []string{"one_ordered_hook_plugin"}, h.orderedCalls())
		diff(t, "events", []string(nil), *events)
		// A change to a plugin waiting for the operator does not start it.
		mt.Put(t, h.src, "hook_plugin", "another_ordered_hook_plugin")
		if _, err := h.rescan(lists{Reloaded: []string{"hook_plugin"}}); err != nil {
			t.Fatal(err)
		}
		h.wantState("hook_plugin", manager.StateFound)
		mt.Put(t, h.src, "hook_plugin", "hook_plugin")
		if _, err := h.rescan(lists{Reloaded: []string{"hook_plugin"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.m.Enable(ctx, "hook_plugin"); err != nil {
			t.Fatal(err)
		}
		diff(t, "handlers after enable", []string{"one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
	})
	t.Run("auto", func(t *testing.T) {
		h := newHost(t, tr, setup{
			fixtures: []string{"one_ordered_hook_plugin"},
			config:   "plugins:\n  _autoEnable: true\n  _disabled: [settings_plugin]\n",
		})
		events := h.events()
		mt.Put(t, h.src, "hook_plugin", "hook_plugin")
		mt.Put(t, h.src, "restart_plugin", "restart_plugin")
		mt.Put(t, h.src, "settings_plugin", "settings_plugin")
		mt.Put(t, h.src, "not_a_plugin", "not_a_plugin")
		if _, err := h.rescan(lists{Added: []string{"hook_plugin", "not_a_plugin", "restart_plugin", "settings_plugin"}}); err != nil {
			t.Fatal(err)
		}
		h.wantState("hook_plugin", manager.StateEnabled)
		diff(t, "handlers", []string{"one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
		in := h.info("restart_plugin")
		if in.State != "loaded" || !in.PendingInstall || !in.NeedsRestart || in.Enabled {
			t.Errorf("restart-needing new plugin state=%s pending_install=%v needs_restart=%v enabled=%v", in.State, in.PendingInstall, in.NeedsRestart, in.Enabled)
		}
		if in := h.info("settings_plugin"); in.Loaded || !in.ForcedDisabled {
			t.Errorf("disabled new plugin loaded=%v forced_disabled=%v", in.Loaded, in.ForcedDisabled)
		}
		if in := h.info("not_a_plugin"); in.Loaded || in.Reason == "" {
			t.Errorf("not_a_plugin loaded=%v reason=%q", in.Loaded, in.Reason)
		}
		diff(t, "events", []string{"hook_plugin loaded 1.0.0", "hook_plugin enabled 1.0.0", "restart_plugin loaded 1.0.0"}, *events)
	})
	t.Run("before start", func(t *testing.T) {
		h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin"}, noStart: true})
		mt.Put(t, h.src, "hook_plugin", "hook_plugin")
		if _, err := h.rescan(lists{Added: []string{"hook_plugin", "one_ordered_hook_plugin"}}); err != nil {
			t.Fatal(err)
		}
		h.wantState("hook_plugin", manager.StateFound)
		if err := h.m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		h.wantState("hook_plugin", manager.StateEnabled)
	})
}

// A new plugin that is broken when first found is started once it is
// fixed, when plugins._autoEnable is true.
func testRescanNewBrokenThenFixed(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin"}, config: "plugins:\n  _autoEnable: true\n"})
	mt.Put(t, h.src, "late", "not_a_plugin")
	if _, err := h.rescan(lists{Added: []string{"late"}}); err != nil {
		t.Fatal(err)
	}
	if in := h.info("late"); in.Loaded || in.Reason == "" {
		t.Errorf("late loaded=%v reason=%q, want listed as not a plugin", in.Loaded, in.Reason)
	}
	mt.Put(t, h.src, "late", "hook_plugin")
	if _, err := h.rescan(lists{Reloaded: []string{"late"}}); err != nil {
		t.Fatal(err)
	}
	h.wantState("late", manager.StateEnabled)
	if in := h.info("late"); in.Reason != "" || in.Error != nil {
		t.Errorf("late reason=%q error=%+v after the fix", in.Reason, in.Error)
	}
}

// A plugin no origin provides any more is disabled (restart-needing or
// not), unloaded and dropped from the listing; its settings and data stay,
// as orphans.
func testRescanRemovedPlugin(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "restart_plugin", "hook_plugin"}})
	if err := h.store.Set("plugins.lifecycle.colour", "red"); err != nil {
		t.Fatal(err)
	}
	events := h.events()
	before := len(probe.EventsOf("lifecycle"))
	mt.Delete(t, h.src, "lifecycle")
	mt.Delete(t, h.src, "restart_plugin")
	if _, err := h.rescan(lists{Removed: []string{"lifecycle", "restart_plugin"}}); err != nil {
		t.Fatal(err)
	}
	diff(t, "calls", []string{"disable", "disabled", "unload"}, callsSince("lifecycle", before))
	diff(t, "events", []string{
		"lifecycle disabled 1.0.0", "lifecycle unloaded 1.0.0",
		"restart_plugin disabled 1.0.0", "restart_plugin unloaded 1.0.0",
	}, *events)
	for _, id := range []string{"lifecycle", "restart_plugin"} {
		if _, ok := h.m.Info(id); ok {
			t.Errorf("removed plugin %s still listed", id)
		}
	}
	h.wantNothingRegistered("restart_plugin")
	if names := h.m.Hooks().PluginHooks("lifecycle"); len(names) != 0 {
		t.Errorf("lifecycle still has handlers for %v", names)
	}
	if got := h.store.GetString("plugins.lifecycle.colour"); got != "red" {
		t.Errorf("lifecycle's setting is %q, want it kept", got)
	}
	h.wantState("hook_plugin", manager.StateEnabled)
	diff(t, "orphans", []manager.Orphan{{Plugin: "lifecycle", Settings: true, Data: true}}, h.m.Orphans())
	if _, err := h.m.Reload(context.Background(), "lifecycle"); !errors.Is(err, manager.ErrUnknownPlugin) {
		t.Errorf("Reload of a removed plugin: %v, want ErrUnknownPlugin", err)
	}
	// Back again, it is a new plugin.
	mt.Put(t, h.src, "lifecycle", "lifecycle")
	if _, err := h.rescan(lists{Added: []string{"lifecycle"}}); err != nil {
		t.Fatal(err)
	}
}

// Changed code is loaded as a new instance, the old one disabled, the new
// one enabled and the old one unloaded; the hot path sees the new handler on
// its next call.
func testRescanChangedPlugin(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}})
	h.wantRunning("v1")
	events := h.events()
	before := len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "reloadable", "reloadable_v2")
	if _, err := h.rescan(lists{Reloaded: []string{"reloadable"}}); err != nil {
		t.Fatal(err)
	}
	diff(t, "calls", []string{"v2 load", "v1 disable", "v1 disabled", "v2 enable", "v2 enabled", "v1 unload"}, callsSince("reloadable", before))
	diff(t, "events", []string{"reloadable loaded 2.0.0", "reloadable disabled 1.0.0", "reloadable enabled 2.0.0", "reloadable unloaded 1.0.0"}, *events)
	h.wantRunning("v2")
	if in := h.info("reloadable"); in.Error != nil || in.Reason != "" || in.NeedsRestart {
		t.Errorf("after the reload error=%+v reason=%q needs_restart=%v", in.Error, in.Reason, in.NeedsRestart)
	}
	h.wantState("one_ordered_hook_plugin", manager.StateEnabled)
	// Nothing changed since: nothing happens.
	before = len(probe.EventsOf("reloadable"))
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
	diff(t, "calls of a second rescan", []string{}, callsSince("reloadable", before))
	// A disabled plugin just gets its code replaced; one its tier unloads
	// when disabled has no code loaded to replace.
	if _, err := h.m.Disable(context.Background(), "reloadable"); err != nil {
		t.Fatal(err)
	}
	before = len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "reloadable", "reloadable")
	if _, err := h.rescan(lists{Reloaded: []string{"reloadable"}}); err != nil {
		t.Fatal(err)
	}
	wantCalls := []string{"v1 load", "v2 unload"}
	if h.props.UnloadWhenDisabled {
		wantCalls = []string{}
	}
	diff(t, "calls for a disabled plugin", wantCalls, callsSince("reloadable", before))
	h.wantDisabled("reloadable")
	if _, err := h.m.Enable(context.Background(), "reloadable"); err != nil {
		t.Fatal(err)
	}
	h.wantRunning("v1")
}

// Changed code that fails to load leaves the old code running, with the
// error listed; it is not tried again until it changes or is reloaded.
func testRescanChangedLoadFails(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}})
	events := h.events()
	probe.SetFault("reloadable", "v2 load", probe.ModeError)
	before := len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "reloadable", "reloadable_v2")
	res, err := h.rescan(lists{})
	wantLifecycleErr(t, err, "reloadable", manager.PhaseLoad)
	wantLifecycleErr(t, res.Errors["reloadable"], "reloadable", manager.PhaseLoad)
	diff(t, "calls", []string{"v2 load"}, callsSince("reloadable", before))
	diff(t, "events", []string(nil), *events)
	h.wantRunning("v1")
	in := h.info("reloadable")
	if in.Error == nil || in.Error.Phase != manager.PhaseLoad || !strings.Contains(in.Reason, "keeps running") {
		t.Errorf("listing error=%+v reason=%q, want the load error and why v1 runs", in.Error, in.Reason)
	}
	// Not tried again while unchanged.
	if _, err := h.rescan(lists{}); err != nil {
		t.Errorf("second rescan: %v", err)
	}
	diff(t, "calls after a second rescan", []string{"v2 load"}, callsSince("reloadable", before))
	// An explicit reload tries again.
	probe.SetFault("reloadable", "v2 load", "")
	ch, err := h.m.Reload(context.Background(), "reloadable")
	if err != nil || !ch.Applied || ch.Pending {
		t.Fatalf("Reload = %+v, %v", ch, err)
	}
	h.wantRunning("v2")
	if in := h.info("reloadable"); in.Error != nil || in.Reason != "" {
		t.Errorf("after the reload error=%+v reason=%q", in.Error, in.Reason)
	}
}

// Changed code that is no plugin (as a half-saved file can be) does not
// take the running code down; good code later replaces it.
func testRescanChangedNotAPlugin(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}})
	mt.Put(t, h.src, "reloadable", "not_a_plugin")
	_, err := h.rescan(lists{})
	wantLifecycleErr(t, err, "reloadable", manager.PhaseDiscover)
	h.wantRunning("v1")
	in := h.info("reloadable")
	if in.Error == nil || in.Error.Phase != manager.PhaseDiscover || !strings.Contains(in.Reason, "no plugin definition") {
		t.Errorf("listing error=%+v reason=%q, want phase discover and the reason", in.Error, in.Reason)
	}
	// Back to the loaded code: nothing to do, nothing to report.
	mt.Put(t, h.src, "reloadable", "reloadable")
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
	if in := h.info("reloadable"); in.Error != nil || in.Reason != "" {
		t.Errorf("after the revert error=%+v reason=%q", in.Error, in.Reason)
	}
	mt.Put(t, h.src, "reloadable", "not_a_plugin")
	if _, err := h.rescan(lists{}); err == nil {
		t.Fatal("no error for a plugin that is no plugin any more")
	}
	mt.Put(t, h.src, "reloadable", "reloadable_v2")
	if _, err := h.rescan(lists{Reloaded: []string{"reloadable"}}); err != nil {
		t.Fatal(err)
	}
	h.wantRunning("v2")
	if in := h.info("reloadable"); in.Error != nil || in.Reason != "" {
		t.Errorf("after the fix error=%+v reason=%q", in.Error, in.Reason)
	}
}

// Changed code whose enable fails is unloaded and the old code, only
// disabled, enabled again.
func testRescanChangedEnableFails(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}})
	events := h.events()
	probe.SetFault("reloadable", "v2 enabled", probe.ModePanic)
	before := len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "reloadable", "reloadable_v2")
	_, err := h.rescan(lists{})
	wantLifecycleErr(t, err, "reloadable", manager.PhaseEnabled)
	diff(t, "calls", []string{
		"v2 load", "v1 disable", "v1 disabled", // the old code is disabled
		"v2 enable", "v2 enabled", "v2 disable", // the new one fails and is rolled back
		"v2 unload", "v1 enable", "v1 enabled", // and unloaded; the old one runs again
	}, callsSince("reloadable", before))
	diff(t, "events", []string{"reloadable loaded 2.0.0", "reloadable disabled 1.0.0", "reloadable unloaded 2.0.0", "reloadable enabled 1.0.0"}, *events)
	h.wantRunning("v1")
	if in := h.info("reloadable"); in.Error == nil || in.Error.Phase != manager.PhaseEnabled || !strings.Contains(in.Reason, "keeps running") {
		t.Errorf("listing error=%+v reason=%q, want the enable error", in.Error, in.Reason)
	}
}

// A plugin whose enable failed runs once its code is fixed.
func testRescanChangedAfterFailedEnable(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}, noStart: true})
	probe.SetFault("reloadable", "v1 enable", probe.ModeError)
	wantLifecycleErr(t, h.m.Start(context.Background()), "reloadable", manager.PhaseEnable)
	h.wantState("reloadable", manager.StateDisabled)
	mt.Put(t, h.src, "reloadable", "reloadable_v2")
	if _, err := h.rescan(lists{Reloaded: []string{"reloadable"}}); err != nil {
		t.Fatal(err)
	}
	h.wantRunning("v2")
	if in := h.info("reloadable"); in.Error != nil {
		t.Errorf("error %+v after the fix", in.Error)
	}
}

// Changed code that a gate refuses takes the old code down.
func testRescanChangedGated(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"reloadable", "one_ordered_hook_plugin"}})
	before := len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "reloadable", "incompatible_plugin")
	if _, err := h.rescan(lists{Reloaded: []string{"reloadable"}}); err != nil {
		t.Fatal(err)
	}
	diff(t, "calls", []string{"v1 disable", "v1 disabled", "v1 unload"}, callsSince("reloadable", before))
	in := h.info("reloadable")
	if in.Loaded || in.Enabled || !in.Incompatible || in.Reason == "" {
		t.Errorf("loaded=%v enabled=%v incompatible=%v reason=%q, want unloaded and incompatible", in.Loaded, in.Enabled, in.Incompatible, in.Reason)
	}
	h.wantNothingRegistered("reloadable")
}

// An enabled restart-needing plugin is not swapped: its new code is
// pending until a restart. Changed code that needs a restart is not enabled
// either. A change back cancels the pending reload.
func testRescanRestartNeeding(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"restart_plugin", "reloadable", "one_ordered_hook_plugin"}})
	events := h.events()
	before := len(probe.EventsOf("reloadable"))
	mt.Put(t, h.src, "restart_plugin", "hook_plugin")
	mt.Put(t, h.src, "reloadable", "restart_plugin")
	if _, err := h.rescan(lists{Pending: []string{"reloadable", "restart_plugin"}}); err != nil {
		t.Fatal(err)
	}
	diff(t, "events", []string(nil), *events)
	diff(t, "reloadable calls", []string{}, callsSince("reloadable", before))
	h.wantRunning("v1")
	for _, id := range []string{"restart_plugin", "reloadable"} {
		in := h.info(id)
		if !in.Enabled || !in.PendingReload || !in.NeedsRestart || in.Error != nil {
			t.Errorf("%s enabled=%v pending_reload=%v needs_restart=%v error=%+v", id, in.Enabled, in.PendingReload, in.NeedsRestart, in.Error)
		}
	}
	ch, err := h.m.Reload(context.Background(), "restart_plugin")
	if err != nil || !ch.Pending || !ch.NeedsRestart || ch.Applied {
		t.Errorf("Reload = %+v, %v, want pending", ch, err)
	}
	mt.Put(t, h.src, "restart_plugin", "restart_plugin")
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
	if in := h.info("restart_plugin"); in.PendingReload || in.NeedsRestart {
		t.Errorf("after the change back pending_reload=%v needs_restart=%v", in.PendingReload, in.NeedsRestart)
	}
}

// Shadowing is recomputed on every scan: a plugin that its first source
// stops providing comes from the next one. A shadow is logged once when it
// appears, not on every scan.
func testRescanShadowing(t *testing.T, tr Tier) {
	mt := mutable(t, tr)
	h := newHost(t, tr, setup{fixtures: []string{"hook_plugin"}, shadowing: []string{"hook_plugin"}})
	shadows := func() int { return len(h.info("hook_plugin").Shadowed) }
	logged := func(when string, want int) {
		t.Helper()
		if n := h.logs.count("shadowed by an earlier origin", "plugin=hook_plugin"); n != want {
			t.Errorf("%s: the shadow was logged %d times, want %d", when, n, want)
		}
	}
	if _, err := h.m.Discover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
	if n := shadows(); n != 1 {
		t.Errorf("%d shadows after rescans, want 1", n)
	}
	logged("after the start, a discover and a rescan", 1)
	mt.Delete(t, h.src, "hook_plugin")
	if _, err := h.rescan(lists{Reloaded: []string{"hook_plugin"}}); err != nil {
		t.Fatal(err)
	}
	if n := shadows(); n != 0 {
		t.Errorf("%d shadows once the first source lost it, want 0", n)
	}
	logged("once the shadow is gone", 1)
	h.wantState("hook_plugin", manager.StateEnabled)
	diff(t, "handlers", []string{"hook_plugin"}, h.orderedCalls())
	mt.Put(t, h.src, "hook_plugin", "hook_plugin")
	if _, err := h.rescan(lists{Reloaded: []string{"hook_plugin"}}); err != nil {
		t.Fatal(err)
	}
	if n := shadows(); n != 1 {
		t.Errorf("%d shadows once the first source has it again, want 1", n)
	}
	logged("once the shadow is back", 2)
	if _, err := h.rescan(lists{}); err != nil {
		t.Fatal(err)
	}
	logged("after another rescan", 2)
	h.wantState("hook_plugin", manager.StateEnabled)
}

// Reload replaces a plugin's code even when it did not change; it fails
// for an unknown plugin.
func testReload(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		fixtures: []string{"reloadable", "one_ordered_hook_plugin", "hook_plugin"},
		config:   "plugins:\n  _disabled: [hook_plugin]\n",
	})
	ctx := context.Background()
	events := h.events()
	before := len(probe.EventsOf("reloadable"))
	ch, err := h.m.Reload(ctx, "reloadable")
	if err != nil || !ch.Applied || ch.Action != "reload" {
		t.Fatalf("Reload = %+v, %v", ch, err)
	}
	diff(t, "calls", []string{"v1 load", "v1 disable", "v1 disabled", "v1 enable", "v1 enabled", "v1 unload"}, callsSince("reloadable", before))
	diff(t, "events", []string{"reloadable loaded 1.0.0", "reloadable disabled 1.0.0", "reloadable enabled 1.0.0", "reloadable unloaded 1.0.0"}, *events)
	h.wantRunning("v1")

	// A plugin that is not loaded is listed afresh and stays as it is.
	if ch, err := h.m.Reload(ctx, "hook_plugin"); err != nil || !ch.Applied {
		t.Errorf("Reload of a disabled plugin = %+v, %v", ch, err)
	}
	h.wantState("hook_plugin", manager.StateFound)

	_, err = h.m.Reload(ctx, "nope")
	le := wantLifecycleErr(t, err, "nope", manager.PhaseReload)
	if !errors.Is(le, manager.ErrUnknownPlugin) {
		t.Errorf("Reload of an unknown plugin: %v", err)
	}
}

// Goroutines a plugin starts from its callbacks carry its label; those
// left running once it is disabled are listed. A plugin with a process of
// its own starts them there: the host has none of its, lists none as left
// over, and they end with the process when the plugin is unloaded.
func testLeftoverGoroutines(t *testing.T, tr Tier) {
	if properties(tr).OwnProcess {
		testLeftoverGoroutinesOwnProcess(t, tr)
		return
	}
	h := newHost(t, tr, setup{fixtures: []string{"leaky", "tidy"}})
	t.Cleanup(probe.Unblock) // before the leak check of newHost's cleanup
	if in := h.info("leaky"); in.LeftoverGoroutines != 0 {
		t.Errorf("an enabled plugin lists %d leftover goroutines", in.LeftoverGoroutines)
	}
	if n := h.m.Goroutines("leaky"); n != 1 {
		t.Errorf("leaky runs %d goroutines, want 1", n)
	}
	ctx := context.Background()
	for _, id := range []string{"leaky", "tidy"} {
		if _, err := h.m.Disable(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if in := h.info("leaky"); in.LeftoverGoroutines != 1 {
		t.Errorf("leaky lists %d leftover goroutines after its disable, want 1", in.LeftoverGoroutines)
	}
	waitFor(t, "tidy's goroutine to stop", func() bool { return h.info("tidy").LeftoverGoroutines == 0 })
	counts := map[string]int{}
	for _, in := range h.m.List() {
		counts[in.Key] = in.LeftoverGoroutines
	}
	diff(t, "leftover goroutines in the listing", map[string]int{"leaky": 1, "tidy": 0}, counts)
	probe.Unblock()
	waitFor(t, "leaky's goroutine to stop", func() bool { return h.m.Goroutines("leaky") == 0 })
}

// testLeftoverGoroutines for a tier whose plugins run in processes of their
// own: leaky's goroutine blocks in its process, which no host goroutine
// counts as the plugin's, before or after its disable; once the plugins are
// unloaded their processes are gone, goroutines and all (newHost's cleanup
// checks that no plugin process is left, as it checks the host's
// goroutines).
func testLeftoverGoroutinesOwnProcess(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"leaky", "tidy"}})
	h.wantState("leaky", manager.StateEnabled)
	h.wantState("tidy", manager.StateEnabled)
	for _, id := range []string{"leaky", "tidy"} {
		if n := h.m.Goroutines(id); n != 0 {
			t.Errorf("%d host goroutines carry %s's label, want none: its goroutines run in its process", n, id)
		}
	}
	ctx := context.Background()
	for _, id := range []string{"leaky", "tidy"} {
		if _, err := h.m.Disable(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for _, in := range h.m.List() {
		counts[in.Key] = in.LeftoverGoroutines
	}
	diff(t, "leftover goroutines in the listing", map[string]int{"leaky": 0, "tidy": 0}, counts)
	if err := h.m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	h.wantNoProcesses(tr)
}

// waitFor waits until cond holds, failing the test if it does not within a
// generous deadline: for goroutines that stop on their own time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
