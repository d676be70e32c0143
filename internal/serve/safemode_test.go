package serve_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
)

// serverInfo returns GET /api/server.
func serverInfo(t *testing.T, h *harness) serve.ServerInfo {
	t.Helper()
	var info serve.ServerInfo
	h.getJSON("/api/server", &info)
	return info
}

func strPtr(s string) *string { return &s }

// plain is an installed plugin that does nothing.
type plain struct{ tentacle.Base }

func withPlain() map[string]*tentacle.Definition {
	return map[string]*tentacle.Definition{
		demo.ID: demo.New(),
		"plain": {Name: "Plain", Version: "1.0.0", Implementation: &plain{}},
	}
}

func TestSafeMode(t *testing.T) {
	for _, c := range []struct {
		name    string
		prepare func(t *testing.T, dir string) setup
		reason  string
	}{
		{"flag", func(t *testing.T, dir string) setup { return setup{dir: dir, safeMode: true} }, serve.SafeModeFlag},
		{"settings", func(t *testing.T, dir string) setup {
			return setup{dir: dir, config: "server:\n  startOnceInSafeMode: true\n"}
		}, serve.SafeModeSettings},
		{"tentacle safemode", func(t *testing.T, dir string) setup {
			st, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := serve.RequestSafeMode(st); err != nil {
				t.Fatal(err)
			}
			return setup{dir: dir}
		}, serve.SafeModeSettings},
		{"incomplete start", func(t *testing.T, dir string) setup {
			return setup{dir: dir, marker: `{"started":"2026-01-02T03:04:05Z","pid":1}`}
		}, serve.SafeModeIncomplete},
		{"unreadable marker", func(t *testing.T, dir string) setup { return setup{dir: dir, marker: "{not json"} }, serve.SafeModeIncomplete},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			su := c.prepare(t, dir)
			su.plugins = withPlain()
			h := start(t, su)
			info := serverInfo(t, h)
			if diff := cmp.Diff(strPtr(c.reason), info.SafeMode); diff != "" {
				t.Errorf("/api/server safemode (-want +got):\n%s", diff)
			}
			l := listing(t, h)
			if diff := cmp.Diff(strPtr(c.reason), l.SafeModeReason); diff != "" || !l.SafeMode {
				t.Errorf("listing safe_mode %v, safe_mode_reason (-want +got):\n%s", l.SafeMode, diff)
			}
			for _, in := range l.Plugins {
				if in.Bundled != in.Enabled || in.SafeModeVictim == in.Bundled {
					t.Errorf("%s: bundled %v, enabled %v, safe mode victim %v", in.Key, in.Bundled, in.Enabled, in.SafeModeVictim)
				}
				if !in.Bundled && in.Reason != "safe mode ("+c.reason+"): only bundled plugins run" {
					t.Errorf("%s: reason %q", in.Key, in.Reason)
				}
			}
			apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 404}.run(t, h)
			// An enable in safe mode waits for the next start.
			if ch := toggle(t, h, "enable", "demo"); !ch.Pending || !ch.NeedsRestart || ch.Applied {
				t.Errorf("enable in safe mode: %+v, want pending", ch)
			}
			eventually(t, "start complete", func() bool { return !exists(h.path(".incomplete_startup")) })
			if err := h.stop(); err != nil {
				t.Fatal(err)
			}
			if calls := h.calls(); calls != nil {
				t.Errorf("demo ran in safe mode: %q", calls)
			}
			if v, ok := dig(readConfig(t, dir), "server.startOnceInSafeMode"); ok {
				t.Errorf("server.startOnceInSafeMode = %v after the start, want it cleared", v)
			}

			// Safe mode was for one start only (but the flag).
			if c.reason == serve.SafeModeFlag {
				return
			}
			again := start(t, setup{dir: dir, plugins: withPlain()})
			if got := serverInfo(t, again).SafeMode; got != nil {
				t.Errorf("the next start is in safe mode too: %q", *got)
			}
			apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, again)
		})
	}
}

func TestIgnoreIncompleteStartup(t *testing.T) {
	h := start(t, setup{
		config: "server:\n  ignoreIncompleteStartup: true\n",
		marker: `{"started":"2026-01-02T03:04:05Z","pid":1,"plugin":"demo","phase":"initialize"}`,
	})
	info := serverInfo(t, h)
	if info.SafeMode != nil || len(info.Quarantined) != 0 {
		t.Errorf("/api/server: %+v, want neither safe mode nor quarantine", info)
	}
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, h)
}

func TestQuarantine(t *testing.T) {
	h := start(t, setup{
		plugins: withPlain(),
		marker:  `{"started":"2026-01-02T03:04:05Z","pid":1,"plugin":"demo","phase":"initialize","since":"2026-01-02T03:04:06Z"}`,
	})
	const evidence = "its initialize was running when the start of 2026-01-02 03:04:05 UTC did not complete"
	info := serverInfo(t, h)
	if info.SafeMode != nil || info.ConfigError != nil {
		t.Errorf("/api/server: safe mode %v, config error %v; want neither", info.SafeMode, info.ConfigError)
	}
	want := []bundled.Quarantine{{Plugin: "demo", Evidence: evidence}}
	if diff := cmp.Diff(want, info.Quarantined); diff != "" {
		t.Errorf("/api/server quarantined (-want +got):\n%s", diff)
	}
	l := listing(t, h)
	if diff := cmp.Diff(want, l.Quarantined); diff != "" {
		t.Errorf("listing quarantined (-want +got):\n%s", diff)
	}
	enabled := map[string]bool{}
	for _, in := range l.Plugins {
		enabled[in.Key] = in.Enabled
	}
	if diff := cmp.Diff(map[string]bool{"demo": false, "logging": true, "plain": true, "pluginmanager": true}, enabled); diff != "" {
		t.Errorf("enabled plugins (-want +got):\n%s", diff)
	}
	in := pluginInfo(t, h, "demo")
	if !in.Quarantined || in.SafeModeVictim || in.Reason != "quarantined for this run: "+evidence {
		t.Errorf("demo's entry: quarantined %v, safe mode victim %v, reason %q", in.Quarantined, in.SafeModeVictim, in.Reason)
	}
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 404}.run(t, h)
	eventually(t, "the marker removed once the start completed", func() bool { return !exists(h.path(".incomplete_startup")) })

	// An operator's enable lifts the quarantine at once.
	if ch := toggle(t, h, "enable", "demo"); !ch.Applied {
		t.Errorf("enable of the quarantined plugin: %+v, want applied", ch)
	}
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, h)
	if q := serverInfo(t, h).Quarantined; len(q) != 0 {
		t.Errorf("/api/server still lists %v after the quarantine was lifted", q)
	}
	eventually(t, "demo's startup callbacks", func() bool { return slices.Contains(h.calls(), "after_startup") })
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// The quarantine was for one run.
	again := start(t, setup{dir: h.dir, plugins: withPlain()})
	if q := serverInfo(t, again).Quarantined; len(q) != 0 {
		t.Errorf("the next start quarantines %v", q)
	}
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, again)
}

// When several plugins' code was running (a slow AfterStartup overlapping
// another plugin's enable), each of them is quarantined, and only them.
func TestQuarantineSeveral(t *testing.T) {
	h := start(t, setup{
		plugins: withPlain(),
		marker: `{"started":"2026-01-02T03:04:05Z","pid":1,"running":[` +
			`{"plugin":"demo","phase":"OnAfterStartup","since":"2026-01-02T03:04:06Z"},` +
			`{"plugin":"plain","phase":"initialize","since":"2026-01-02T03:04:07Z"}]}`,
	})
	want := []bundled.Quarantine{
		{Plugin: "demo", Evidence: "its OnAfterStartup was running when the start of 2026-01-02 03:04:05 UTC did not complete"},
		{Plugin: "plain", Evidence: "its initialize was running when the start of 2026-01-02 03:04:05 UTC did not complete"},
	}
	if diff := cmp.Diff(want, serverInfo(t, h).Quarantined); diff != "" {
		t.Errorf("/api/server quarantined (-want +got):\n%s", diff)
	}
	if in := pluginInfo(t, h, "pluginmanager"); !in.Enabled {
		t.Error("a bundled plugin was kept from running")
	}
}

// POST /api/server {"command":"safemode"} makes the next start run in safe
// mode (what tentacle safemode does while the server runs).
func TestRequestSafeModeThroughTheServer(t *testing.T) {
	h := start(t, setup{})
	for _, c := range []apiCase{
		{name: "no key", method: "POST", path: "/api/server", body: map[string]any{"command": "safemode"}, wantStatus: 401},
		{name: "no command", method: "POST", path: "/api/server", key: "good", body: map[string]any{}, wantStatus: 400, wantError: "command"},
		{name: "unknown command", method: "POST", path: "/api/server", key: "good", body: map[string]any{"command": "reboot"}, wantStatus: 404, wantError: "reboot"},
		{name: "safemode", method: "POST", path: "/api/server", key: "good", body: map[string]any{"command": "safemode"}, wantStatus: 200},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	again := start(t, setup{dir: h.dir})
	if info := serverInfo(t, again); info.SafeMode == nil || *info.SafeMode != serve.SafeModeSettings {
		t.Errorf("the next start: safe mode %v, want %q", info.SafeMode, serve.SafeModeSettings)
	}
}
