package serve_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
)

// demoSettings returns demo's settings as GET /api/settings shows them to
// a caller with key ("" for none).
func demoSettings(t *testing.T, h *harness, key string) map[string]any {
	t.Helper()
	r := h.do("GET", "/api/settings", key, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/settings: %d %s", r.status, r.body)
	}
	var v struct {
		Plugins map[string]map[string]any
		Server  map[string]any
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Server["host"] != "127.0.0.1" || v.Server["port"] == nil {
		t.Errorf("server settings %v, want host and port", v.Server)
	}
	return v.Plugins["demo"]
}

func TestGetSettingsRestrictedPaths(t *testing.T) {
	h := start(t, setup{})
	base := map[string]any{"greeting": "Hello", "count": 3.0, "internal": nil, "nested": map[string]any{"on": true}}
	for _, c := range []struct {
		name, key string
		secret    any
	}{
		{"no key", "", nil},
		{"key", h.key, "s3cr3t"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := map[string]any{"secret": c.secret}
			for k, v := range base {
				want[k] = v
			}
			if diff := cmp.Diff(want, demoSettings(t, h, c.key)); diff != "" {
				t.Errorf("demo's settings (-want +got):\n%s", diff)
			}
		})
	}
	// A wrong key is not taken for none: 403, not the anonymous view.
	t.Run("wrong key", func(t *testing.T) {
		apiCase{method: "GET", path: "/api/settings", key: "wrong", wantStatus: 403, wantError: "wrong API key"}.run(t, h)
	})
}

func TestPostSettingsStoresOnlyTheDifference(t *testing.T) {
	h := start(t, setup{})
	r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{
		"demo": map[string]any{"greeting": "Hi", "count": 3, "nested": map[string]any{"on": true}},
	}})
	if r.status != http.StatusOK {
		t.Fatalf("POST /api/settings: %d %s", r.status, r.body)
	}
	var v struct{ Plugins map[string]map[string]any }
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	if got := v.Plugins["demo"]["greeting"]; got != "Hi" {
		t.Errorf("answer: greeting %v, want Hi", got)
	}
	if got, _ := dig(readConfig(t, h.dir), "plugins.demo"); !cmp.Equal(got, map[string]any{"greeting": "Hi"}) {
		t.Errorf("config.yaml plugins.demo = %#v, want only greeting: Hi", got)
	}
	eventually(t, "SettingsUpdated delivered to demo", func() bool { return slices.Contains(h.demo.Events(), "SettingsUpdated") })
	greet := h.do("POST", "/api/plugin/demo", h.key, map[string]any{"command": "greet", "name": "Ada"})
	if !bytes.Contains(greet.body, []byte(`"Hi, Ada"`)) {
		t.Errorf("greet after the change: %s", greet.body)
	}

	// Back to the default: the value leaves the file.
	r = h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{"demo": map[string]any{"greeting": "Hello"}}})
	if r.status != http.StatusOK {
		t.Fatalf("POST /api/settings: %d %s", r.status, r.body)
	}
	if got, ok := dig(readConfig(t, h.dir), "plugins.demo"); ok {
		t.Errorf("config.yaml plugins.demo = %#v after setting the default back, want none", got)
	}
}

// A null resets a path to its default: the user's value leaves the file.
func TestPostSettingsNullResets(t *testing.T) {
	h := start(t, setup{})
	post := func(change map[string]any) {
		t.Helper()
		r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{"demo": change}})
		if r.status != http.StatusOK {
			t.Fatalf("POST /api/settings: %d %s", r.status, r.body)
		}
	}
	post(map[string]any{"greeting": "Hi", "count": 7, "nested": map[string]any{"on": false}})
	post(map[string]any{"greeting": nil, "nested": map[string]any{"on": nil}})
	if got, _ := dig(readConfig(t, h.dir), "plugins.demo"); !cmp.Equal(got, map[string]any{"count": 7}) {
		t.Errorf("config.yaml plugins.demo = %#v, want only count: 7", got)
	}
	got := demoSettings(t, h, h.key)
	if got["greeting"] != "Hello" || got["count"] != 7.0 {
		t.Errorf("settings after the reset: %v", got)
	}
	// The validator sees the default for a reset value: count back to 3 passes.
	post(map[string]any{"count": nil})
	if got := demoSettings(t, h, h.key); got["count"] != 3.0 {
		t.Errorf("count after the reset = %v, want the default 3", got["count"])
	}
}

func TestPostSettingsRefused(t *testing.T) {
	h := start(t, setup{})
	demoChange := func(change map[string]any) map[string]any {
		return map[string]any{"plugins": map[string]any{"demo": change}}
	}
	for _, c := range []apiCase{
		{name: "no key", body: demoChange(map[string]any{"greeting": "Hi"}), wantStatus: 401},
		{name: "wrong key", key: "wrong", body: demoChange(map[string]any{"greeting": "Hi"}), wantStatus: 403},
		{name: "type mismatch", key: "good", body: demoChange(map[string]any{"count": "many"}), wantStatus: 400, wantError: "count must be a number, not a string"},
		{name: "nested type mismatch", key: "good", body: demoChange(map[string]any{"nested": map[string]any{"on": "yes"}}), wantStatus: 400, wantError: "nested.on"},
		{name: "object for a leaf", key: "good", body: demoChange(map[string]any{"greeting": map[string]any{"x": 1}}), wantStatus: 400, wantError: "greeting"},
		{name: "fraction for a whole number", key: "good", body: demoChange(map[string]any{"count": 2.5}), wantStatus: 400, wantError: "count must be a whole number"},
		{name: "validator", key: "good", body: demoChange(map[string]any{"greeting": "Hi", "count": -1}), wantStatus: 400, wantError: "count must not be negative"},
		{name: "never path", key: "good", body: demoChange(map[string]any{"internal": "changed"}), wantStatus: 400, wantError: "internal"},
		{name: "config version", key: "good", body: demoChange(map[string]any{"_config_version": 2}), wantStatus: 400, wantError: "_config_version"},
		{name: "dotted key", key: "good", body: demoChange(map[string]any{"nested.on": false}), wantStatus: 400, wantError: "nested.on"},
		{name: "empty key", key: "good", body: demoChange(map[string]any{"": 1}), wantStatus: 400},
		{name: "unknown plugin", key: "good", body: map[string]any{"plugins": map[string]any{"nope": map[string]any{"x": 1}}}, wantStatus: 404, wantError: `"nope"`},
		{name: "one bad plugin spoils all", key: "good", body: map[string]any{"plugins": map[string]any{
			"demo": map[string]any{"greeting": "Hi"}, "zzz": map[string]any{"x": 1},
		}}, wantStatus: 404, wantError: `"zzz"`},
		{name: "plugin without settings", key: "good", body: map[string]any{"plugins": map[string]any{"pluginmanager": map[string]any{"x": 1}}}, wantStatus: 404},
		{name: "settings not an object", key: "good", body: map[string]any{"plugins": map[string]any{"demo": "Hi"}}, wantStatus: 400, wantError: "object"},
		{name: "plugins not an object", key: "good", body: map[string]any{"plugins": []any{"demo"}}, wantStatus: 400, wantError: "plugins"},
		{name: "no plugins", key: "good", body: map[string]any{}, wantStatus: 400, wantError: "plugins"},
		{name: "server settings", key: "good", body: map[string]any{"server": map[string]any{"port": 1}}, wantStatus: 400, wantError: `"server"`},
		{name: "api key", key: "good", body: map[string]any{"plugins": map[string]any{}, "api": map[string]any{"key": "x"}}, wantStatus: 400, wantError: `"api"`},
		{name: "invalid json", key: "good", body: `{"plugins": {`, wantStatus: 400, wantError: "JSON"},
		{name: "stray closing brace", key: "good", body: `{"plugins": {"demo": {"greeting": "Hi"}}}}`, wantStatus: 400, wantError: "more than one JSON value"},
		{name: "two values", key: "good", body: `{"plugins": {"demo": {"greeting": "Hi"}}} {}`, wantStatus: 400, wantError: "more than one JSON value"},
		{name: "not json", key: "good", body: "plugins=1", contentType: "text/plain", wantStatus: 415},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := readFile(t, h.path("config.yaml"))
			c.method, c.path = "POST", "/api/settings"
			c.run(t, h)
			if after := readFile(t, h.path("config.yaml")); !bytes.Equal(before, after) {
				t.Errorf("config.yaml changed:\n%s\n---\n%s", before, after)
			}
			if got := demoSettings(t, h, h.key); got["greeting"] != "Hello" || got["count"] != 3.0 || got["internal"] != nil {
				t.Errorf("demo's settings changed: %v", got)
			}
		})
	}
	if slices.Contains(h.demo.Events(), "SettingsUpdated") {
		t.Errorf("SettingsUpdated fired for refused changes")
	}
}

func TestConfigThatDoesNotParse(t *testing.T) {
	dir := t.TempDir()
	const config = "api:\n  key: abc\nplugins:\n  demo:\n    greeting: [Hi\n"
	// demo counts as bundled here, so that it runs in safe mode.
	h := start(t, setup{dir: dir, config: config, plugins: map[string]*tentacle.Definition{}, bundled: map[string]*tentacle.Definition{demo.ID: demo.New()}})

	var info struct {
		SafeMode    *string `json:"safemode"`
		ConfigError *string `json:"config_error"`
	}
	h.getJSON("/api/server", &info)
	if info.SafeMode == nil || *info.SafeMode != "config.yaml does not parse" {
		t.Errorf("safemode %v, want %q", info.SafeMode, "config.yaml does not parse")
	}
	if info.ConfigError == nil || !regexp.MustCompile(`config\.yaml:\d+: `).MatchString(*info.ConfigError) {
		t.Errorf("config_error %v, want the file and line", info.ConfigError)
	}
	if !bytes.Contains([]byte(h.console.String()), []byte("for this run only")) {
		t.Errorf("console lacks the key for this run:\n%s", h.console)
	}
	for _, c := range []apiCase{
		{name: "post settings", method: "POST", path: "/api/settings", key: "good", body: map[string]any{"plugins": map[string]any{"demo": map[string]any{"greeting": "Hi"}}}, wantStatus: 409, wantError: "config.yaml"},
		{name: "disable a plugin", method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "disable", "plugin": "demo"}, wantStatus: 409},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
	if got := demoSettings(t, h, h.key)["greeting"]; got != "Hello" {
		t.Errorf("greeting %v after a refused change, want the default", got)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, h.path("config.yaml"))); got != config {
		t.Errorf("config.yaml changed:\n%s\nwant\n%s", got, config)
	}
}

// versioned is a settings plugin at settings version 2 that records its
// migrations.
type versioned struct {
	tentacle.Base
	rec *recorder
}

func (v *versioned) SettingsDefaults() map[string]any { return map[string]any{"unit": "mm"} }
func (v *versioned) SettingsVersion() int             { return 2 }
func (v *versioned) OnSettingsMigrate(target, current int) error {
	v.rec.add(fmt.Sprintf("migrate %d -> %d", current, target))
	return v.Settings().Set("unit", "cm")
}

func TestSettingsMigrationRunsOnce(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	for range 2 {
		h := start(t, setup{dir: dir, plugins: map[string]*tentacle.Definition{"versioned": {Implementation: &versioned{rec: rec}}}})
		var v struct{ Plugins map[string]map[string]any }
		h.getJSON("/api/settings", &v)
		if diff := cmp.Diff(map[string]any{"unit": "cm"}, v.Plugins["versioned"]); diff != "" {
			t.Errorf("settings of versioned, without _config_version (-want +got):\n%s", diff)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		if got, _ := dig(readConfig(t, dir), "plugins.versioned"); !cmp.Equal(got, map[string]any{"unit": "cm", "_config_version": 2}) {
			t.Errorf("config.yaml plugins.versioned = %v", got)
		}
	}
	if diff := cmp.Diff([]string{"migrate 0 -> 2"}, rec.get()); diff != "" {
		t.Errorf("migrations over two starts (-want +got):\n%s", diff)
	}
}

// A whole float for an integer setting is stored as an integer.
func TestPostSettingsWholeFloatStaysInt(t *testing.T) {
	h := start(t, setup{})
	r := h.do("POST", "/api/settings", h.key, `{"plugins": {"demo": {"count": 5.0}}}`)
	if r.status != http.StatusOK {
		t.Fatalf("POST /api/settings: %d %s", r.status, r.body)
	}
	if got, _ := dig(readConfig(t, h.dir), "plugins.demo.count"); got != 5 {
		t.Errorf("config.yaml plugins.demo.count = %#v, want the integer 5", got)
	}
	if r := h.do("POST", "/api/settings", h.key, `{"plugins": {"demo": {"count": 5.5}}}`); r.status != http.StatusBadRequest {
		t.Errorf("a fraction after a whole float: %d %s", r.status, r.body)
	}
}

// restrictionless panics in SettingsRestrictedPaths.
type restrictionless struct{ tentacle.Base }

func (*restrictionless) SettingsDefaults() map[string]any { return map[string]any{"token": "t0p"} }

func (*restrictionless) SettingsRestrictedPaths() map[string][]string { panic("cannot say") }

// When a plugin's restrictions cannot be read, none of its settings are
// shown or written (fail closed).
func TestSettingsRestrictionsFailClosed(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		demo.ID: demo.New(),
		"rl":    {Implementation: &restrictionless{}},
	}})
	var v struct{ Plugins map[string]map[string]any }
	h.getJSON("/api/settings", &v)
	if got, ok := v.Plugins["rl"]; ok {
		t.Errorf("settings of a plugin whose restrictions failed are shown: %v", got)
	}
	r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{"rl": map[string]any{"token": "x"}}})
	if r.status != http.StatusBadRequest || !bytes.Contains(r.body, []byte("restricted settings cannot be read")) {
		t.Errorf("POST for it: %d %s", r.status, r.body)
	}
	if in := pluginInfo(t, h, "rl"); in.Faults == 0 {
		t.Error("the panic was not counted")
	}
}
