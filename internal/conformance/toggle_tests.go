package conformance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

func init() {
	register(
		test{"RuntimeToggle", testRuntimeToggle},
		test{"UnknownPlugin", testUnknownPlugin},
		test{"HiddenBundled", testHiddenBundled},
		test{"RestartNeeding", testRestartNeeding},
		test{"RestartNeedingEnablePending", testRestartNeedingEnablePending},
		test{"RestartNeedingDisabledAtStart", testRestartNeedingDisabledAtStart},
		test{"ReloadNeeding", testReloadNeeding},
		test{"Overlays", testOverlays},
		test{"ToggleBeforeStart", testToggleBeforeStart},
		test{"BrokenConfig", testBrokenConfig},
		test{"Uninstall", testUninstall},
		test{"UninstallRestartNeeding", testUninstallRestartNeeding},
		test{"UninstallBundled", testUninstallBundled},
	)
}

// wantNotInSource checks that the tier's source no longer provides id: its
// files are gone.
func (h *host) wantNotInSource(id string) {
	h.t.Helper()
	cands, err := h.src.Scan(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range cands {
		if c.ID == id {
			h.t.Errorf("%s is still provided by the source after its uninstall", id)
		}
	}
}

func (h *host) configFile() string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "config.yaml"))
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	return string(b)
}

// Disable and enable at runtime act now, persist to config.yaml and are
// seen by the hook on its next call.
func testRuntimeToggle(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"one_ordered_hook_plugin", "hook_plugin"}})
	ctx := context.Background()
	ch, err := h.m.Disable(ctx, "hook_plugin")
	if err != nil || !ch.Applied || !ch.Persisted || ch.Pending {
		t.Fatalf("Disable = %+v, %v", ch, err)
	}
	h.wantDisabled("hook_plugin")
	if cfg := h.configFile(); !strings.Contains(cfg, "_disabled:") || !strings.Contains(cfg, "- hook_plugin") {
		t.Errorf("config.yaml does not list hook_plugin as disabled:\n%s", cfg)
	}
	in := h.info("hook_plugin")
	if in.Enabled || !in.ForcedDisabled {
		t.Errorf("after disable enabled=%v forced_disabled=%v", in.Enabled, in.ForcedDisabled)
	}
	diff(t, "after disable", []string{"one_ordered_hook_plugin"}, h.orderedCalls())
	if ch, err := h.m.Disable(ctx, "hook_plugin"); err != nil || ch.Applied || ch.Persisted {
		t.Errorf("second Disable = %+v, %v, want a no-op", ch, err)
	}
	ch, err = h.m.Enable(ctx, "hook_plugin")
	if err != nil || !ch.Applied || !ch.Persisted {
		t.Fatalf("Enable = %+v, %v", ch, err)
	}
	if cfg := h.configFile(); strings.Contains(cfg, "hook_plugin") {
		t.Errorf("config.yaml still mentions hook_plugin:\n%s", cfg)
	}
	diff(t, "after enable", []string{"one_ordered_hook_plugin", "hook_plugin"}, h.orderedCalls())
}

func testUnknownPlugin(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"hook_plugin"}})
	ctx := context.Background()
	_, err := h.m.Enable(ctx, "nope")
	le := wantLifecycleErr(t, err, "nope", manager.PhaseEnable)
	if !errors.Is(le, manager.ErrUnknownPlugin) || le.Error() != `plugin "nope": enable: unknown plugin` {
		t.Errorf("error %q", le)
	}
	_, err = h.m.Disable(ctx, "nope")
	wantLifecycleErr(t, err, "nope", manager.PhaseDisable)
	if h.configFile() != "" {
		t.Error("config.yaml written for an unknown plugin")
	}
}

func testHiddenBundled(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{bundled: []string{"hidden_plugin"}, fixtures: []string{"hook_plugin"}})
	in := h.info("hidden_plugin")
	if !in.Hidden || in.DisablingDiscouraged != "the host needs it" {
		t.Errorf("hidden=%v disabling_discouraged=%q", in.Hidden, in.DisablingDiscouraged)
	}
	_, err := h.m.Disable(context.Background(), "hidden_plugin")
	if !errors.Is(err, manager.ErrNotToggleable) {
		t.Errorf("Disable of a hidden bundled plugin: %v", err)
	}
	h.wantState("hidden_plugin", manager.StateEnabled)
	// Hidden only counts for bundled plugins.
	h2 := newHost(t, tr, setup{fixtures: []string{"hidden_plugin"}})
	if in := h2.info("hidden_plugin"); in.Hidden || in.DisablingDiscouraged != "" {
		t.Errorf("non-bundled plugin hidden=%v disabling_discouraged=%q", in.Hidden, in.DisablingDiscouraged)
	}
	if _, err := h2.m.Disable(context.Background(), "hidden_plugin"); err != nil {
		t.Errorf("Disable of a non-bundled 'hidden' plugin: %v", err)
	}
}

// restartNeedingFixtures are the restart-needing fixtures, each with the
// one reason its listing gives.
var restartNeedingFixtures = map[string]string{
	"restart_plugin":      "implements tentacle.RestartNeeding",
	"asset_plugin":        "implements probe.Asset",
	"restart_hook_plugin": "has a handler for hook " + HookRestart,
	"overlay_plugin":      "has a settings overlay",
}

// A restart-needing plugin is not toggled at runtime: the change is
// persisted and pending, and toggling back cancels it.
func testRestartNeeding(t *testing.T, tr Tier) {
	for id, reason := range restartNeedingFixtures {
		t.Run(id, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{id}})
			ctx := context.Background()
			in := h.info(id)
			if !in.Enabled || len(in.RestartNeeding) != 1 || in.RestartNeeding[0] != reason {
				t.Fatalf("enabled=%v restart_needing=%q, want enabled at startup because %q", in.Enabled, in.RestartNeeding, reason)
			}
			ch, err := h.m.Disable(ctx, id)
			if err != nil || !ch.Pending || !ch.NeedsRestart || ch.Applied || !ch.Persisted {
				t.Fatalf("Disable = %+v, %v", ch, err)
			}
			h.wantState(id, manager.StateEnabled)
			in = h.info(id)
			if !in.PendingDisable || !in.NeedsRestart || !in.Enabled {
				t.Errorf("pending_disable=%v needs_restart=%v enabled=%v", in.PendingDisable, in.NeedsRestart, in.Enabled)
			}
			if !strings.Contains(h.configFile(), "- "+id) {
				t.Error("the pending disable is not persisted")
			}
			ch, err = h.m.Enable(ctx, id)
			if err != nil || !ch.Cancelled || ch.Pending || ch.Applied {
				t.Fatalf("Enable = %+v, %v, want the pending disable cancelled", ch, err)
			}
			in = h.info(id)
			if in.PendingDisable || in.NeedsRestart || !in.Enabled {
				t.Errorf("after cancel pending_disable=%v needs_restart=%v enabled=%v", in.PendingDisable, in.NeedsRestart, in.Enabled)
			}
			if strings.Contains(h.configFile(), id) {
				t.Error("the cancelled disable is still persisted")
			}
		})
	}
}

func testRestartNeedingEnablePending(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"restart_plugin"}, config: "plugins:\n  _disabled: [restart_plugin]\n"})
	ctx := context.Background()
	ch, err := h.m.Enable(ctx, "restart_plugin")
	if err != nil || !ch.Pending || !ch.NeedsRestart {
		t.Fatalf("Enable = %+v, %v", ch, err)
	}
	in := h.info("restart_plugin")
	if in.Enabled || !in.PendingEnable || !in.Loaded {
		t.Errorf("enabled=%v pending_enable=%v loaded=%v", in.Enabled, in.PendingEnable, in.Loaded)
	}
	ch, err = h.m.Disable(ctx, "restart_plugin")
	if err != nil || !ch.Cancelled {
		t.Fatalf("Disable = %+v, %v", ch, err)
	}
	if in := h.info("restart_plugin"); in.PendingEnable || in.NeedsRestart {
		t.Errorf("after cancel pending_enable=%v needs_restart=%v", in.PendingEnable, in.NeedsRestart)
	}
}

// A restart-needing plugin disabled at start is listed restart-needing,
// for the reason its code gives once loaded, before any of its code ran:
// what it declares tells (a builtin plugin's Definition, a source plugin's
// source, a process plugin's manifest). Its enable is pending, and its
// listing says the same before and after. A plugin that declares nothing
// restart-needing is listed as not restart-needing, known without loading
// it.
func testRestartNeedingDisabledAtStart(t *testing.T, tr Tier) {
	for id, reason := range restartNeedingFixtures {
		t.Run(id, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{id}, config: "plugins:\n  _disabled: [" + id + "]\n"})
			in := h.info(id)
			if in.Loaded || in.Enabled || in.State != manager.StateFound.String() {
				t.Fatalf("loaded=%v enabled=%v state=%s, want a plugin that was not loaded", in.Loaded, in.Enabled, in.State)
			}
			diff(t, "restart_needing before the enable", []string{reason}, in.RestartNeeding)
			if in.RestartNeedingUnknown {
				t.Error("restart_needing_unknown set for a plugin that declares why it is restart-needing")
			}
			ch, err := h.m.Enable(context.Background(), id)
			if err != nil || !ch.Pending || !ch.NeedsRestart || ch.Applied {
				t.Fatalf("Enable = %+v, %v, want a pending enable", ch, err)
			}
			in = h.info(id)
			if in.Enabled || !in.PendingEnable || !in.NeedsRestart || in.RestartNeedingUnknown {
				t.Errorf("after the enable enabled=%v pending_enable=%v needs_restart=%v restart_needing_unknown=%v",
					in.Enabled, in.PendingEnable, in.NeedsRestart, in.RestartNeedingUnknown)
			}
			diff(t, "restart_needing after the enable", []string{reason}, in.RestartNeeding)
		})
	}
	for _, id := range []string{"hook_plugin", "reload_plugin"} {
		t.Run(id, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{id}, config: "plugins:\n  _disabled: [" + id + "]\n"})
			in := h.info(id)
			if in.Loaded || len(in.RestartNeeding) != 0 || in.RestartNeedingUnknown {
				t.Fatalf("loaded=%v restart_needing=%q restart_needing_unknown=%v, want known not restart-needing",
					in.Loaded, in.RestartNeeding, in.RestartNeedingUnknown)
			}
			ch, err := h.m.Enable(context.Background(), id)
			if err != nil || !ch.Applied || ch.Pending {
				t.Fatalf("Enable = %+v, %v, want it enabled now", ch, err)
			}
			if in := h.info(id); !in.Enabled || len(in.RestartNeeding) != 0 {
				t.Errorf("after the enable enabled=%v restart_needing=%q", in.Enabled, in.RestartNeeding)
			}
		})
	}
}

func testReloadNeeding(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"reload_plugin"}})
	ch, err := h.m.Disable(context.Background(), "reload_plugin")
	if err != nil || !ch.Applied || !ch.NeedsReload || ch.NeedsRestart {
		t.Fatalf("Disable = %+v, %v", ch, err)
	}
	if in := h.info("reload_plugin"); !in.NeedsReload || in.Enabled {
		t.Errorf("needs_reload=%v enabled=%v", in.NeedsReload, in.Enabled)
	}
}

// An overlay sits between the user's config and the defaults while its
// plugin is enabled, and is gone once it is disabled.
func testOverlays(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		fixtures: []string{"overlay_plugin", "settings_plugin"},
		config:   "server:\n  size: large\n",
	})
	ps := h.store.Plugin("settings_plugin")
	if got := ps.GetString("greeting"); got != "from the overlay" {
		t.Errorf("greeting = %q, want the overlay's", got)
	}
	if got := ps.GetInt("nested.count"); got != 3 {
		t.Errorf("nested.count = %d, want the default 3", got)
	}
	if got := h.store.GetString("server.colour"); got != "orange" {
		t.Errorf("server.colour = %q, want the overlay's orange over the host default", got)
	}
	if err := h.store.Set("server.colour", "green"); err != nil {
		t.Fatal(err)
	}
	if got := h.store.GetString("server.colour"); got != "green" {
		t.Errorf("server.colour = %q, want the user's green over the overlay", got)
	}
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.store.Remove("server.colour"); err != nil {
		t.Fatal(err)
	}
	if got := h.store.GetString("server.colour"); got != "grey" {
		t.Errorf("server.colour = %q after the plugin was disabled, want the host default grey", got)
	}
	if got := h.store.GetString("server.size"); got != "large" {
		t.Errorf("server.size = %q, the user's setting was lost", got)
	}
}

// Before Start, toggles only change the configuration.
func testToggleBeforeStart(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}, noStart: true})
	ctx := context.Background()
	if err := h.m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	ch, err := h.m.Disable(ctx, "lifecycle")
	if err != nil || ch.Applied || !ch.Persisted {
		t.Fatalf("Disable before start = %+v, %v", ch, err)
	}
	if in := h.info("lifecycle"); in.Enabled || !in.ForcedDisabled {
		t.Errorf("listing before start enabled=%v forced_disabled=%v", in.Enabled, in.ForcedDisabled)
	}
	ch, err = h.m.Enable(ctx, "lifecycle")
	if err != nil || ch.Applied || !ch.Persisted {
		t.Fatalf("Enable before start = %+v, %v", ch, err)
	}
	if in := h.info("lifecycle"); !in.Enabled {
		t.Error("listing before start does not show the plugin as enabled at start")
	}
	diff(t, "calls", []string{"check", "load"}, probe.EventsOf("lifecycle"))
}

// With a config.yaml that does not parse, toggles fail and change nothing.
func testBrokenConfig(t *testing.T, tr Tier) {
	const broken = "plugins:\n  _disabled: [hook_plugin\n"
	h := newHost(t, tr, setup{fixtures: []string{"hook_plugin"}, config: broken})
	_, err := h.m.Disable(context.Background(), "hook_plugin")
	wantLifecycleErr(t, err, "hook_plugin", manager.PhaseDisable)
	if !strings.Contains(err.Error(), "config.yaml:") {
		t.Errorf("error %q does not point into config.yaml", err)
	}
	h.wantState("hook_plugin", manager.StateEnabled)
	if got := h.configFile(); got != broken {
		t.Errorf("config.yaml changed:\n%s", got)
	}
}

// Uninstall: the pending-uninstall callback first, then disable and unload,
// then the files; settings and data are kept as orphans until cleaned up.
func testUninstall(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"}})
	if err := h.store.Set("plugins.lifecycle.colour", "red"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := len(probe.EventsOf("lifecycle"))
	ch, err := h.m.Uninstall(ctx, "lifecycle")
	if err != nil || !ch.Applied || ch.Pending {
		t.Fatalf("Uninstall = %+v, %v", ch, err)
	}
	var calls []string
	for _, e := range probe.EventsOf("lifecycle")[before:] {
		if e != "remove" { // the builtin adapter's Remove records itself
			calls = append(calls, e)
		}
	}
	diff(t, "calls", []string{"uninstall", "disable", "disabled", "unload"}, calls)
	if _, ok := h.m.Info("lifecycle"); ok {
		t.Error("uninstalled plugin still listed")
	}
	h.wantNotInSource("lifecycle")
	diff(t, "orphans", []manager.Orphan{{Plugin: "lifecycle", Settings: true, Data: true}}, h.m.Orphans())
	if err := h.m.Cleanup("lifecycle"); err != nil {
		t.Fatal(err)
	}
	if o := h.m.Orphans(); len(o) != 0 {
		t.Errorf("orphans after cleanup: %+v", o)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "data", "lifecycle")); !os.IsNotExist(err) {
		t.Errorf("data folder still there: %v", err)
	}
	if err := h.m.Cleanup("../etc"); err == nil {
		t.Error("Cleanup accepted a path as identifier")
	}
}

func testUninstallRestartNeeding(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"restart_plugin"}})
	ch, err := h.m.Uninstall(context.Background(), "restart_plugin")
	if err != nil || !ch.Pending || !ch.NeedsRestart || ch.Applied {
		t.Fatalf("Uninstall = %+v, %v", ch, err)
	}
	in := h.info("restart_plugin")
	if !in.PendingUninstall || !in.Enabled || !in.NeedsRestart {
		t.Errorf("pending_uninstall=%v enabled=%v needs_restart=%v", in.PendingUninstall, in.Enabled, in.NeedsRestart)
	}
	for _, e := range probe.EventsOf("restart_plugin") {
		if e != "remove" {
			t.Errorf("a pending uninstall called %s", e)
		}
	}
	h.wantNotInSource("restart_plugin")
}

func testUninstallBundled(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{bundled: []string{"hook_plugin"}})
	_, err := h.m.Uninstall(context.Background(), "hook_plugin")
	if !errors.Is(err, manager.ErrNotManagable) {
		t.Errorf("Uninstall of a bundled plugin: %v", err)
	}
	h.wantState("hook_plugin", manager.StateEnabled)
}
