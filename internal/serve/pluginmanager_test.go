package serve_test

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
	"github.com/tentacle-go/tentacle/server"
)

// listing returns the Plugin Manager's listing.
func listing(t *testing.T, h *harness) pluginmanager.Listing {
	t.Helper()
	var l pluginmanager.Listing
	h.getJSON("/plugin/pluginmanager/plugins?all=true", &l)
	return l
}

// pluginInfo returns one plugin's entry from the Plugin Manager.
func pluginInfo(t *testing.T, h *harness, id string) manager.Info {
	t.Helper()
	var v struct{ Plugin pluginmanager.Entry }
	h.getJSON("/plugin/pluginmanager/plugins/"+id, &v)
	return v.Plugin.Info
}

// demoInfo is demo's listing entry while it runs without faults.
var demoInfo = manager.Info{
	Key: "demo", Name: "Demo", Version: "1.0.0",
	Enabled: true, Origin: "test", Tier: "builtin", State: "enabled", Loaded: true,
	RestartNeeding: []string{},
	Mixins: []string{
		"server.APIGetter", "server.AfterStartup", "server.Asset", "server.Blueprint", "server.EventHandler",
		"server.SettingsRestricted", "server.SettingsValidator", "server.Shutdown", "server.SimpleAPI",
		"server.Startup", "tentacle.SettingsPlugin",
	},
	Hooks: []string{}, Helpers: []string{},
}

func TestPluginManagerListing(t *testing.T) {
	h := start(t, setup{})
	r := h.do("GET", "/plugin/pluginmanager/plugins", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET plugins: %d %s", r.status, r.body)
	}
	var raw struct {
		Plugins     []map[string]json.RawMessage
		SafeMode    bool    `json:"safe_mode"`
		Reason      *string `json:"safe_mode_reason"`
		Quarantined []any
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.SafeMode || raw.Reason != nil || raw.Quarantined == nil || len(raw.Quarantined) != 0 {
		t.Errorf("safe_mode %v (%v), quarantined %#v; want false, null and []", raw.SafeMode, raw.Reason, raw.Quarantined)
	}
	// As OctoPrint's, the listing leaves the hidden bundled Plugin Manager
	// out.
	if len(raw.Plugins) != 1 {
		t.Fatalf("listed %d plugins; want demo only", len(raw.Plugins))
	}
	// Every field of manager.Info that is not omitted when empty is there,
	// with OctoPrint's that Info lacks.
	var keys []string
	for k := range raw.Plugins[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := append(jsonFields(reflect.TypeFor[manager.Info]()), "attributes", "notifications", "python")
	sort.Strings(want)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("fields of demo's entry (-want +got):\n%s", diff)
	}

	l := listing(t, h)
	var ids []string
	for _, in := range l.Plugins {
		ids = append(ids, in.Key)
	}
	if diff := cmp.Diff([]string{"demo", "logging", "pluginmanager"}, ids); diff != "" {
		t.Errorf("listed plugins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(demoInfo, l.Plugins[0].Info, cmpopts.IgnoreFields(manager.Info{}, "Location")); diff != "" {
		t.Errorf("demo's entry (-want +got):\n%s", diff)
	}
	pm := l.Plugins[1]
	if !pm.Bundled || !pm.Hidden || !pm.Enabled || pm.DisablingDiscouraged == false {
		t.Errorf("pluginmanager entry: %+v; want bundled, hidden, enabled, disabling discouraged", pm)
	}
	if diff := cmp.Diff(demoInfo, pluginInfo(t, h, "demo"), cmpopts.IgnoreFields(manager.Info{}, "Location")); diff != "" {
		t.Errorf("GET plugins/demo (-want +got):\n%s", diff)
	}
}

// jsonFields returns the JSON names of a struct's fields that are always
// encoded (no omitempty), sorted.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || strings.Contains(opts, "omitempty") {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestPluginManagerEndpoints(t *testing.T) {
	dir := t.TempDir()
	// Settings and data of a plugin that is no longer installed.
	if err := os.MkdirAll(dir+"/data/gone", 0o755); err != nil {
		t.Fatal(err)
	}
	const hook = "tentacle.plugin.hooked.ping"
	h := start(t, setup{dir: dir, config: "plugins:\n  gone:\n    x: 1\n", plugins: map[string]*tentacle.Definition{
		demo.ID:   demo.New(),
		"hooked":  {Hooks: tentacle.Hooks{hook: func() {}}},
		"ordered": {Hooks: tentacle.Hooks{hook: tentacle.Hook(func() {}, 5)}},
	}})
	for _, c := range []apiCase{
		{name: "unknown plugin", method: "GET", path: "/plugin/pluginmanager/plugins/nope", wantStatus: 404, wantError: `"nope"`},
		{name: "unknown hook", method: "GET", path: "/plugin/pluginmanager/hooks/no.such.hook", wantStatus: 404, wantError: "no.such.hook"},
		{name: "enable unknown", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "enable", "plugin": "nope"}, wantStatus: 404, wantError: "nope"},
		{name: "disable unknown", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "disable", "plugin": "nope"}, wantStatus: 404, wantError: "nope"},
		{name: "disable itself", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "disable", "plugin": "pluginmanager"}, wantStatus: 400, wantError: "pluginmanager"},
		{name: "enable itself", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "enable", "plugin": "pluginmanager"}, wantStatus: 400},
		{name: "no plugin", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "disable"}, wantStatus: 400, wantError: `"plugin"`},
		{name: "plugin not a string", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "disable", "plugin": 7}, wantStatus: 404},
		{name: "unknown command", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "dance", "plugin": "x"}, wantStatus: 404, wantError: `"dance"`},
		{name: "install without a source", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "install"}, wantStatus: 400, wantError: `"url"`},
		{name: "uninstall itself", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "uninstall", "plugin": "pluginmanager"}, wantStatus: 403, wantError: "Plugin Manager"},
		{name: "uninstall bundled", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "uninstall", "plugin": "demo"}, wantStatus: 403, wantError: "cannot be uninstalled"},
		{name: "uninstall unknown", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "uninstall", "plugin": "nope"}, wantStatus: 404, wantError: "nope"},
		{name: "cleanup loaded", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "cleanup", "plugin": "demo"}, wantStatus: 409, wantError: "loaded"},
		{name: "queue empty", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "clear_queued_installs"}, wantStatus: 202, wantBody: map[string]any{"queued_installs": []any{}}},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}

	// Each hook's handlers in call order, with where the order comes from.
	want := []hooks.Explanation{
		{Position: 1, Plugin: "ordered", Order: 5, Declared: 5, HasDeclared: true},
		{Position: 2, Plugin: "hooked", Order: tentacle.DefaultOrder, Declared: tentacle.DefaultOrder},
	}
	ignore := cmpopts.IgnoreFields(hooks.Explanation{}, "From", "Reason")
	for _, path := range []string{"/plugin/pluginmanager/hooks", "/plugin/pluginmanager/hooks/" + hook} {
		var v struct {
			Hooks map[string][]hooks.Explanation
		}
		h.getJSON(path, &v)
		for name, list := range v.Hooks {
			if len(list) == 0 {
				delete(v.Hooks, name) // the server's hooks without handlers
			}
		}
		wantHooks := map[string][]hooks.Explanation{hook: want}
		if path == "/plugin/pluginmanager/hooks" {
			// The Plugin Manager's own: its upload's body size.
			wantHooks[server.HookHTTPBodySize] = []hooks.Explanation{
				{Position: 1, Plugin: "pluginmanager", Order: tentacle.DefaultOrder, Declared: tentacle.DefaultOrder},
			}
		}
		if diff := cmp.Diff(wantHooks, v.Hooks, ignore); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", path, diff)
		}
	}

	var orphans struct{ Orphans []manager.Orphan }
	h.getJSON("/plugin/pluginmanager/orphans", &orphans)
	var ids []string
	for _, o := range orphans.Orphans {
		ids = append(ids, o.Plugin)
	}
	if diff := cmp.Diff([]string{"gone"}, ids); diff != "" {
		t.Errorf("orphans (-want +got):\n%s\n%+v", diff, orphans)
	}
	if in := pluginInfo(t, h, "demo"); !in.Enabled || in.Faults != 0 {
		t.Errorf("demo after the refused requests: %+v", in)
	}
}
