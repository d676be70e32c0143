package conformance

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

// octoprintSet is the fixture set of OctoPrint's tests/plugin/_plugins.
var octoprintSet = []string{
	"another_ordered_hook_plugin", "asset_plugin", "hook_plugin", "mixed_plugin",
	"not_a_plugin", "one_ordered_hook_plugin", "settings_plugin", "startup_plugin",
}

func init() {
	register(
		test{"PluginLoading", testPluginLoading},
		test{"BrokenPlugin", testBrokenPlugin},
		test{"GetPluginInfo", testGetPluginInfo},
		test{"ListingFields", testListingFields},
		test{"Precedence", testPrecedence},
		test{"GateDisabledList", testGateDisabledList},
		test{"GateBlocklist", testGateBlocklist},
		test{"GateCompat", testGateCompat},
		test{"GateSafeMode", testGateSafeMode},
		test{"GateCheck", testGateCheck},
		test{"GateReasons", testGateReasons},
		test{"GateQuarantine", testGateQuarantine},
		test{"Trace", testTrace},
		test{"HasAnyOfHooks", testHasAnyOfHooks},
		test{"HasAnyOfMixins", testHasAnyOfMixins},
	)
}

// Port of OctoPrint's test_plugin_loading.
func testPluginLoading(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: octoprintSet})
	var enabled int
	for _, in := range h.m.List() {
		if in.Enabled {
			enabled++
		}
	}
	if got := len(h.m.List()); got != 8 {
		t.Errorf("%d plugins listed, want 8", got)
	}
	if enabled != 7 {
		t.Errorf("%d plugins enabled, want 7", enabled)
	}
	if got := len(h.m.Hooks().Handlers(HookStartup)); got != 1 {
		t.Errorf("%s has %d handlers, want 1", HookStartup, got)
	}
	if got := len(h.m.Hooks().Handlers(HookOrdered)); got != 3 {
		t.Errorf("%s has %d handlers, want 3", HookOrdered, got)
	}
	impls := func(t reflect.Type) []string {
		var ids []string
		for _, impl := range h.m.Implementations(t, "") {
			ids = append(ids, impl.Plugin)
		}
		return ids
	}
	diff(t, "StartupPlugin implementations", []string{"mixed_plugin", "startup_plugin"}, impls(startupMixin.Type))
	diff(t, "SettingsPlugin implementations", []string{"mixed_plugin", "settings_plugin"}, impls(reflect.TypeFor[tentacle.SettingsPlugin]()))
	diff(t, "AssetPlugin implementations", []string{"asset_plugin"}, impls(assetMixin.Type))
	for _, in := range h.m.List() {
		if in.Tier != tr.Name() && in.Key != "not_a_plugin" {
			t.Errorf("plugin %q has tier %q, want %q", in.Key, in.Tier, tr.Name())
		}
	}
}

// Port of OctoPrint's test_broken_plugin: listed, never loaded or enabled.
func testBrokenPlugin(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"not_a_plugin", "hook_plugin"}})
	in := h.info("not_a_plugin")
	if in.Loaded || in.Enabled {
		t.Errorf("not_a_plugin loaded=%v enabled=%v, want neither", in.Loaded, in.Enabled)
	}
	if in.Reason == "" {
		t.Error("not_a_plugin has no reason")
	}
	_, err := h.m.Enable(context.Background(), "not_a_plugin")
	if !errors.Is(err, manager.ErrGated) {
		t.Errorf("enabling not_a_plugin: %v, want ErrGated", err)
	}
	h.wantState("hook_plugin", manager.StateEnabled)
}

// Port of OctoPrint's test_get_plugin and test_get_plugin_info.
func testGetPluginInfo(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: octoprintSet})
	view := h.m.PluginManager()
	info, ok := view.Plugin("hook_plugin")
	if !ok || info.Name != "Hook Plugin" || info.Version != "1.0.0" {
		t.Errorf("Plugin(hook_plugin) = %+v, %v", info, ok)
	}
	if _, ok := view.Plugin("unknown"); ok {
		t.Error("Plugin(unknown) found")
	}
	if !view.IsEnabled("hook_plugin") || view.IsEnabled("not_a_plugin") || view.IsEnabled("unknown") {
		t.Error("IsEnabled wrong")
	}
	all := view.Plugins()
	if len(all) != 8 || all[0].Identifier != "another_ordered_hook_plugin" {
		t.Errorf("Plugins() = %d entries starting %q, want 8 sorted", len(all), all[0].Identifier)
	}
}

func testListingFields(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"}, bundled: []string{"settings_plugin"}})
	in := h.info("lifecycle")
	want := manager.Info{Key: "lifecycle", Name: "Lifecycle", Version: "1.0.0", Description: "Records every lifecycle call.",
		Author: "Tentacle", URL: "https://example.invalid/lifecycle", License: "Apache-2.0", Tier: tr.Name(), State: "enabled",
		Enabled: true, Loaded: true, Managable: true}
	got := manager.Info{Key: in.Key, Name: in.Name, Version: in.Version, Description: in.Description, Author: in.Author,
		URL: in.URL, License: in.License, Tier: in.Tier, State: in.State, Enabled: in.Enabled, Loaded: in.Loaded, Managable: in.Managable}
	diff(t, "lifecycle entry", want, got)
	diff(t, "lifecycle mixins", []string{"probe.Startup", "tentacle.DisableListener", "tentacle.EnableListener", "tentacle.Initializer", "tentacle.SettingsPlugin", "tentacle.Sortable", "tentacle.UninstallListener"}, in.Mixins)
	diff(t, "lifecycle hooks", []string{HookOrdered}, in.Hooks)
	diff(t, "lifecycle helpers", []string{"ping"}, in.Helpers)
	if in.Error != nil || in.Bundled {
		t.Errorf("lifecycle error=%v bundled=%v", in.Error, in.Bundled)
	}
	b := h.info("settings_plugin")
	if !b.Bundled || b.Managable || b.Origin != "bundled" {
		t.Errorf("bundled entry bundled=%v managable=%v origin=%q", b.Bundled, b.Managable, b.Origin)
	}
	keys := []string{}
	for _, in := range h.m.List() {
		keys = append(keys, in.Key)
	}
	diff(t, "listing order", []string{"hook_plugin", "lifecycle", "settings_plugin"}, keys)
}

// The first source to provide an identifier wins; later ones are listed as
// shadowed and warned about (OctoPrint skips them silently).
func testPrecedence(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		bundled:   []string{"hook_plugin"},
		fixtures:  []string{"hook_plugin", "settings_plugin"},
		shadowing: []string{"settings_plugin"},
	})
	in := h.info("hook_plugin")
	if !in.Bundled || in.Tier != "builtin" {
		t.Errorf("hook_plugin bundled=%v tier=%q: the bundled one should win", in.Bundled, in.Tier)
	}
	if len(in.Shadowed) != 1 {
		t.Fatalf("hook_plugin shadows %v, want one", in.Shadowed)
	}
	if s := h.info("settings_plugin"); len(s.Shadowed) != 1 || s.Bundled {
		t.Errorf("settings_plugin shadowed=%v bundled=%v", s.Shadowed, s.Bundled)
	}
	if !h.logs.has("shadowed", "plugin=hook_plugin") {
		t.Error("no warning about the shadowed hook_plugin")
	}
	diff(t, "startup handlers", []string{"hook_plugin"}, h.handlerPlugins(HookStartup))
}

func testGateDisabledList(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		fixtures: []string{"lifecycle", "hook_plugin"},
		config:   "plugins:\n  _disabled: [lifecycle]\n",
	})
	in := h.info("lifecycle")
	if !in.ForcedDisabled || in.Loaded || in.Enabled || !strings.Contains(in.Reason, "_disabled") {
		t.Errorf("lifecycle forced_disabled=%v loaded=%v enabled=%v reason=%q", in.ForcedDisabled, in.Loaded, in.Enabled, in.Reason)
	}
	if ev := probe.EventsOf("lifecycle"); len(ev) != 0 {
		t.Errorf("a disabled plugin ran code: %v", ev)
	}
	// Enabling it at runtime needs no restart: it is loaded and enabled now.
	ch, err := h.m.Enable(context.Background(), "lifecycle")
	if err != nil || !ch.Applied || !ch.Persisted {
		t.Fatalf("Enable = %+v, %v", ch, err)
	}
	h.wantState("lifecycle", manager.StateEnabled)
	if h.info("lifecycle").ForcedDisabled {
		t.Error("still forced_disabled after enable")
	}
}

func testGateBlocklist(t *testing.T, tr Tier) {
	cases := []struct {
		name    string
		entries []manager.BlockEntry
		config  string
		blocked bool
	}{
		{"whole plugin", []manager.BlockEntry{{Plugin: "versioned"}}, "", true},
		{"matching version", []manager.BlockEntry{{Plugin: "versioned", Versions: "<1.3"}}, "", true},
		{"other version", []manager.BlockEntry{{Plugin: "versioned", Versions: "<1.2"}}, "", false},
		{"invalid constraint fails closed", []manager.BlockEntry{{Plugin: "versioned", Versions: "not a constraint"}}, "", true},
		{"from config", nil, "plugins:\n  _blocklist:\n    - plugin: versioned\n      versions: '>=1.0, <2'\n", true},
		{"from config by name", nil, "plugins:\n  _blocklist: [versioned]\n", true},
		{"other plugin", []manager.BlockEntry{{Plugin: "hook_plugin"}}, "", false},
		{"list of versions", nil, "plugins:\n  _blocklist:\n    - plugin: versioned\n      versions: ['<1.0', '1.2.0']\n", true},
		{"list of other versions", nil, "plugins:\n  _blocklist:\n    - plugin: versioned\n      versions: ['<1.0', '>=2']\n", false},
		{"malformed versions fail closed", nil, "plugins:\n  _blocklist:\n    - plugin: versioned\n      versions: 3\n", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{"versioned"}, blocklist: tc.entries, config: tc.config})
			in := h.info("versioned")
			if in.Blocklisted != tc.blocked || in.Enabled == tc.blocked {
				t.Fatalf("blocklisted=%v enabled=%v, want blocked=%v (reason %q)", in.Blocklisted, in.Enabled, tc.blocked, in.Reason)
			}
			if tc.blocked {
				_, err := h.m.Enable(context.Background(), "versioned")
				if !errors.Is(err, manager.ErrGated) || !strings.Contains(err.Error(), "blocklisted") {
					t.Errorf("enabling a blocklisted plugin: %v, want ErrGated saying blocklisted", err)
				}
			}
		})
	}
}

func testGateCompat(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"incompatible_plugin", "bad_compat", "hook_plugin"}})
	for id, want := range map[string]string{"incompatible_plugin": "needs API >=99", "bad_compat": "invalid compat constraint"} {
		in := h.info(id)
		if !in.Incompatible || in.Loaded || !strings.Contains(in.Reason, want) {
			t.Errorf("%s incompatible=%v loaded=%v reason=%q, want reason with %q", id, in.Incompatible, in.Loaded, in.Reason, want)
		}
	}
	if !h.info("hook_plugin").Enabled {
		t.Error("a compatible plugin was not enabled")
	}
	forced := newHost(t, tr, setup{fixtures: []string{"incompatible_plugin"}, config: "plugins:\n  _forcedCompatible: [incompatible_plugin]\n"})
	if in := forced.info("incompatible_plugin"); in.Incompatible || !in.Enabled {
		t.Errorf("forced compatible: incompatible=%v enabled=%v", in.Incompatible, in.Enabled)
	}
	bundled := newHost(t, tr, setup{bundled: []string{"incompatible_plugin"}})
	if in := bundled.info("incompatible_plugin"); in.Incompatible || !in.Enabled {
		t.Errorf("bundled plugins are not compat-checked: incompatible=%v enabled=%v", in.Incompatible, in.Enabled)
	}
}

func testGateSafeMode(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}, bundled: []string{"hook_plugin"}, safeMode: true})
	in := h.info("lifecycle")
	if !in.SafeModeVictim || in.Loaded || !strings.Contains(in.Reason, "safe mode (test)") {
		t.Errorf("lifecycle safe_mode_victim=%v loaded=%v reason=%q", in.SafeModeVictim, in.Loaded, in.Reason)
	}
	if b := h.info("hook_plugin"); !b.Enabled || b.SafeModeVictim {
		t.Errorf("bundled plugin in safe mode: enabled=%v victim=%v", b.Enabled, b.SafeModeVictim)
	}
	if ev := probe.EventsOf("lifecycle"); len(ev) != 0 {
		t.Errorf("a safe mode victim ran code: %v", ev)
	}
	ch, err := h.m.Enable(context.Background(), "lifecycle")
	if err != nil || !ch.Pending || !ch.NeedsRestart {
		t.Errorf("Enable of a safe mode victim = %+v, %v, want pending until restart", ch, err)
	}
	h.wantState("lifecycle", manager.StateFound)
}

func testGateCheck(t *testing.T, tr Tier) {
	probe.Reset()
	for _, mode := range []string{probe.ModeFalse, probe.ModePanic} {
		t.Run(mode, func(t *testing.T) {
			h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}, noStart: true})
			probe.SetFault("lifecycle", "check", mode)
			_ = h.m.Start(context.Background())
			in := h.info("lifecycle")
			if in.Loaded || in.Enabled {
				t.Fatalf("loaded=%v enabled=%v after a failed check", in.Loaded, in.Enabled)
			}
			diff(t, "calls", []string{"check"}, probe.EventsOf("lifecycle"))
			switch mode {
			case probe.ModeFalse:
				if !strings.Contains(in.Reason, "check") || in.Error != nil {
					t.Errorf("reason=%q error=%v, want a check reason and no error", in.Reason, in.Error)
				}
			case probe.ModePanic:
				if in.Error == nil || in.Error.Phase != manager.PhaseCheck || !strings.Contains(in.Error.Message, "panicked at check") {
					t.Errorf("error = %+v, want a check-phase panic", in.Error)
				}
			}
			// Enabling it again runs the check again: still failing, it is
			// refused with the reason; passing, it is loaded and enabled.
			ctx := context.Background()
			if mode == probe.ModeFalse {
				_, err := h.m.Enable(ctx, "lifecycle")
				if !errors.Is(err, manager.ErrGated) || !strings.Contains(err.Error(), "check") {
					t.Errorf("Enable with a failing check: %v", err)
				}
				if r := h.info("lifecycle").Reason; !strings.Contains(r, "check") {
					t.Errorf("reason after a refused enable = %q", r)
				}
			}
			probe.SetFault("lifecycle", "check", "")
			if _, err := h.m.Enable(ctx, "lifecycle"); err != nil {
				t.Fatalf("Enable once the check passes: %v", err)
			}
			h.wantState("lifecycle", manager.StateEnabled)
		})
	}
}

// Port of OctoPrint's test_has_any_of_hooks cases, on the manager.
func testHasAnyOfHooks(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"hook_plugin", "settings_plugin"}})
	cases := []struct {
		plugin   string
		patterns []string
		want     bool
	}{
		{"hook_plugin", []string{HookStartup}, true},
		{"hook_plugin", []string{"conformance.*"}, true},
		{"hook_plugin", []string{"other.*", "conformance.start*"}, true},
		{"hook_plugin", []string{"other.hook"}, false},
		{"hook_plugin", nil, false},
		{"settings_plugin", []string{"*"}, false},
		{"unknown", []string{"*"}, false},
	}
	for _, tc := range cases {
		if got := h.m.HasAnyOfHooks(tc.plugin, tc.patterns...); got != tc.want {
			t.Errorf("HasAnyOfHooks(%q, %q) = %v, want %v", tc.plugin, tc.patterns, got, tc.want)
		}
	}
}

// Port of OctoPrint's test_has_any_of_mixins cases.
func testHasAnyOfMixins(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"mixed_plugin", "hook_plugin", "asset_plugin"}})
	cases := []struct {
		plugin string
		mixins []reflect.Type
		want   bool
	}{
		{"mixed_plugin", []reflect.Type{startupMixin.Type}, true},
		{"mixed_plugin", []reflect.Type{assetMixin.Type, startupMixin.Type}, true},
		{"mixed_plugin", []reflect.Type{assetMixin.Type}, false},
		{"mixed_plugin", nil, false},
		{"hook_plugin", []reflect.Type{startupMixin.Type}, false},
		{"asset_plugin", []reflect.Type{assetMixin.Type}, true},
	}
	for _, tc := range cases {
		if got := h.m.HasAnyOfMixins(tc.plugin, tc.mixins...); got != tc.want {
			t.Errorf("HasAnyOfMixins(%q, %v) = %v, want %v", tc.plugin, tc.mixins, got, tc.want)
		}
	}
}

// Every refusing gate is listed; enabling names the gate that really blocks.
func testGateReasons(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{
		fixtures:  []string{"versioned"},
		config:    "plugins:\n  _disabled: [versioned]\n",
		blocklist: []manager.BlockEntry{{Plugin: "versioned"}},
	})
	in := h.info("versioned")
	if in.Reason != "disabled in the configuration (plugins._disabled); blocklisted" {
		t.Errorf("reason = %q", in.Reason)
	}
	_, err := h.m.Enable(context.Background(), "versioned")
	if err == nil || !strings.Contains(err.Error(), "not allowed to run: blocklisted") || strings.Contains(err.Error(), "_disabled") {
		t.Errorf("Enable = %v, want it refused for the blocklist alone", err)
	}
	if !strings.Contains(h.configFile(), "versioned") {
		t.Error("a refused enable changed the configuration")
	}
}

// A quarantined plugin does not run this time; an operator's enable lifts it.
func testGateQuarantine(t *testing.T, tr Tier) {
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle", "hook_plugin"},
		quarantine: map[string]string{"lifecycle": "its initialize was running when the last start stopped"}})
	in := h.info("lifecycle")
	if !in.Quarantined || in.Loaded || !strings.Contains(in.Reason, "quarantined for this run: its initialize was running") {
		t.Errorf("quarantined=%v loaded=%v reason=%q", in.Quarantined, in.Loaded, in.Reason)
	}
	if len(probe.EventsOf("lifecycle")) != 0 {
		t.Error("a quarantined plugin ran code")
	}
	h.wantState("hook_plugin", manager.StateEnabled)
	ch, err := h.m.Enable(context.Background(), "lifecycle")
	if err != nil || !ch.Applied {
		t.Fatalf("Enable = %+v, %v", ch, err)
	}
	if in := h.info("lifecycle"); in.Quarantined || !in.Enabled {
		t.Errorf("after enable quarantined=%v enabled=%v", in.Quarantined, in.Enabled)
	}
}

// Trace sees every call into plugin code, before and after, in order.
func testTrace(t *testing.T, tr Tier) {
	var got []string
	h := newHost(t, tr, setup{fixtures: []string{"lifecycle"}, trace: func(ev manager.TraceEvent) {
		if ev.Plugin != "lifecycle" {
			return
		}
		if ev.Done {
			got = append(got, "done "+string(ev.Phase))
		} else {
			got = append(got, string(ev.Phase))
		}
	}})
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"import", "done import", "check", "done check", "load", "done load",
		"enable", "done enable", "inject", "done inject", "inject", "done inject",
		"initialize", "done initialize", "enabled", "done enabled",
		"disable", "done disable", "disable", "done disable", "unload", "done unload",
	}
	diff(t, "trace", want, got)
}
