package serve_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
)

// Finding 1 of issue 10: a value JSON cannot encode (1e400 decodes to +Inf)
// was stored and saved, and from then on GET /api/settings answered 500 to
// everyone, also after a restart. It must be refused with 400, naming the
// key, with nothing stored or saved.
func TestPostSettingsRefusesInfinity(t *testing.T) {
	dir := t.TempDir()
	h := start(t, setup{dir: dir})
	before := string(readFile(t, h.path("config.yaml")))
	r := h.do("POST", "/api/settings", h.key, `{"plugins": {"demo": {"huge": 1e400}}}`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.errorMessage(), "huge") {
		t.Errorf("POST 1e400: %d %s, want 400 naming huge", r.status, r.body)
	}
	if g := h.do("GET", "/api/settings", "", nil); g.status != http.StatusOK {
		t.Errorf("GET /api/settings after the POST: %d %s", g.status, g.body)
	}
	if after := string(readFile(t, h.path("config.yaml"))); after != before {
		t.Errorf("config.yaml changed:\n%s", after)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	h = start(t, setup{dir: dir})
	if g := h.do("GET", "/api/settings", "", nil); g.status != http.StatusOK {
		t.Errorf("GET /api/settings after a restart: %d %s", g.status, g.body)
	}
}

// Values settings cannot hold are refused with 400 and a message naming the
// plugin and the key; a request is applied whole or not at all, so a good
// value next to a bad one is not stored either.
func TestPostSettingsRefusesInvalidValues(t *testing.T) {
	h := start(t, setup{})
	deep := `1`
	for range 40 {
		deep = `{"a": ` + deep + `}`
	}
	for _, c := range []struct {
		name, change, want string
	}{
		{"infinity", `{"huge": 1e400}`, `plugin "demo": huge: the number 1e400 is beyond the range of a 64-bit float`},
		{"negative infinity in a list", `{"list": [1, -1e999]}`, `plugin "demo": list.1: the number -1e999 is beyond`},
		{"integer beyond 2^53", `{"big": 9007199254740993}`, `plugin "demo": big: the integer 9007199254740993 is beyond ±9007199254740991`},
		{"integer beyond int64", `{"big": -123456789012345678901234567890}`, `plugin "demo": big: the integer -123456789012345678901234567890 is beyond`},
		{"integer setting", `{"count": 1e400}`, `plugin "demo": count: the number 1e400`},
		{"too deep", `{"deep": ` + deep + `}`, `plugin "demo": deep` + strings.Repeat(".a", 30) + `: nested deeper than 32 levels`},
		{"a good value with a bad one", `{"greeting": "Hi", "nested": {"x": 1e400}}`, `plugin "demo": nested.x: the number 1e400`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := readFile(t, h.path("config.yaml"))
			r := h.do("POST", "/api/settings", h.key, `{"plugins": {"demo": `+c.change+`}}`)
			if r.status != http.StatusBadRequest || !strings.HasPrefix(r.errorMessage(), c.want) {
				t.Errorf("status %d, error %q, want 400 %q", r.status, r.errorMessage(), c.want)
			}
			if after := readFile(t, h.path("config.yaml")); !bytes.Equal(before, after) {
				t.Errorf("config.yaml changed:\n%s", after)
			}
			if got := demoSettings(t, h, h.key); got["greeting"] != "Hello" || got["count"] != 3.0 || len(got) != 5 {
				t.Errorf("demo's settings changed: %v", got)
			}
		})
	}
	// On the limit, and what a float can be: taken.
	r := h.do("POST", "/api/settings", h.key, `{"plugins": {"demo": {"max": 9007199254740991, "min": -9007199254740991, "float": 1.7976931348623157e308, "tiny": 1e-400}}}`)
	if r.status != http.StatusOK {
		t.Fatalf("POST on the limits: %d %s", r.status, r.body)
	}
	got := demoSettings(t, h, h.key)
	for k, want := range map[string]float64{"max": 9007199254740991, "min": -9007199254740991, "float": math.MaxFloat64, "tiny": 0} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
}

// A config.yaml that already holds a value settings cannot take (written
// by an older version, or by hand) is read without it: GET /api/settings
// answers, with the default in its place; the value is logged and listed
// in GET /api/server; the file is not written back while nothing else
// changes, and the next save leaves the value out.
func TestConfigWithInvalidValue(t *testing.T) {
	dir := t.TempDir()
	const config = "api:\n  key: 0123456789abcdef0123456789abcdef\nplugins:\n  demo:\n    greeting: Hi\n    huge: .inf\n    count: .nan\n"
	h := start(t, setup{dir: dir, config: config})
	got := demoSettings(t, h, "")
	if got["greeting"] != "Hi" || got["count"] != 3.0 {
		t.Errorf("demo's settings %v, want greeting Hi and count's default 3", got)
	}
	if _, ok := got["huge"]; ok {
		t.Errorf("huge is shown: %v", got["huge"])
	}
	want := []serve.IgnoredSetting{
		{Path: "plugins.demo.count", Line: 7, Reason: "NaN is not a finite number"},
		{Path: "plugins.demo.huge", Line: 6, Reason: "+Inf is not a finite number"},
	}
	if diff := cmp.Diff(want, serverInfo(t, h).ConfigIgnored); diff != "" {
		t.Errorf("config_ignored (-want +got):\n%s", diff)
	}
	for _, w := range []string{"path=plugins.demo.huge line=6", "path=plugins.demo.count line=7", "next save of config.yaml leaves it out"} {
		if !strings.Contains(h.console.String(), w) {
			t.Errorf("the log lacks %q:\n%s", w, h.console)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, filepath.Join(dir, "config.yaml"))); got != config {
		t.Errorf("config.yaml written back with nothing changed:\n%s", got)
	}

	// A change: saved without the bad values.
	h = start(t, setup{dir: dir})
	if r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{"demo": map[string]any{"greeting": "Howdy"}}}); r.status != http.StatusOK {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	if got, _ := dig(readConfig(t, dir), "plugins.demo"); !cmp.Equal(got, map[string]any{"greeting": "Howdy"}) {
		t.Errorf("config.yaml plugins.demo = %v, want only greeting", got)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	h = start(t, setup{dir: dir})
	if got := serverInfo(t, h).ConfigIgnored; len(got) != 0 {
		t.Errorf("config_ignored after the save: %v", got)
	}
}

// nanDefault has a default JSON cannot carry; only a plugin's defaults (or
// overlay) can hold one, since the store refuses them.
type nanDefault struct{ tentacle.Base }

func (*nanDefault) SettingsDefaults() map[string]any {
	return map[string]any{"nan": math.NaN(), "ok": 1, "list": []any{math.Inf(1), "x"}, "ch": make(chan int)}
}

// One plugin's bad default never breaks GET /api/settings for everyone: it
// reads as null.
func TestSettingsViewSurvivesBadDefaults(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{demo.ID: demo.New(), "nandef": {Implementation: &nanDefault{}}}})
	r := h.do("GET", "/api/settings", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/settings: %d %s", r.status, r.body)
	}
	var v struct{ Plugins map[string]map[string]any }
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"nan": nil, "ok": 1.0, "list": []any{nil, "x"}, "ch": nil}
	if diff := cmp.Diff(want, v.Plugins["nandef"]); diff != "" {
		t.Errorf("nandef's settings (-want +got):\n%s", diff)
	}
	if v.Plugins["demo"]["greeting"] != "Hello" {
		t.Errorf("demo's settings: %v", v.Plugins["demo"])
	}
	// Logged once per path, however often it is read.
	h.do("GET", "/api/settings", h.key, nil)
	if n := strings.Count(h.console.String(), "cannot be shown as JSON"); n != 3 {
		t.Errorf("%d warnings, want 3 (nan, list.0, ch):\n%s", n, h.console)
	}
}

// Finding 6 of issue 10: a kill -9 in the middle of a save left a
// .config.yaml.tmp-* that the next start did not remove. The start removes
// those, and nothing else.
func TestStartRemovesStaleTemporaryConfigFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), "plugins:\n  demo:\n    greeting: Hi\n")
	for _, name := range []string{".config.yaml.tmp-123456", ".config.yaml.tmp-9", ".config.yaml.tmp-x", "config.yaml.bak", ".other.tmp-1"} {
		writeFile(t, filepath.Join(dir, name), "half written")
	}
	h := start(t, setup{dir: dir})
	for _, name := range []string{".config.yaml.tmp-123456", ".config.yaml.tmp-9"} {
		if exists(h.path(name)) {
			t.Errorf("%s is still there", name)
		}
		if !strings.Contains(h.console.String(), name) {
			t.Errorf("the log does not name %s:\n%s", name, h.console)
		}
	}
	for _, name := range []string{".config.yaml.tmp-x", "config.yaml.bak", ".other.tmp-1", "config.yaml"} {
		if !exists(h.path(name)) {
			t.Errorf("%s was removed", name)
		}
	}
	if got := demoSettings(t, h, "")["greeting"]; got != "Hi" {
		t.Errorf("greeting %v, want Hi from config.yaml", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".config.yaml.tmp-") && strings.Trim(strings.TrimPrefix(e.Name(), ".config.yaml.tmp-"), "0123456789") == "" {
			t.Errorf("left: %s", e.Name())
		}
	}
}

// Finding 6 of issue 10: with a config.yaml that does not parse, enabling
// a plugin answered 200 "pending" although nothing was saved, and the
// next start (in safe mode again) would not run it. An enable or disable
// that cannot be recorded is refused with 409, and nothing changes.
func TestToggleWithUnwritableConfig(t *testing.T) {
	dir := t.TempDir()
	const config = "plugins:\n  _disabled: [demo\n"
	h := start(t, setup{dir: dir, config: config, plugins: withPlain()})
	for _, c := range []struct{ command, id string }{
		{"enable", "demo"},  // a safe mode victim: would be pending
		{"enable", "plain"}, // likewise
		{"disable", "plain"},
	} {
		r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": c.command, "plugin": c.id})
		if r.status != http.StatusConflict || !strings.Contains(r.errorMessage(), "read-only") {
			t.Errorf("%s %s: %d %s, want 409 saying the settings are read-only", c.command, c.id, r.status, r.body)
		}
		if in := pluginInfo(t, h, c.id); in.PendingEnable || in.PendingDisable || in.NeedsRestart {
			t.Errorf("%s %s: listed pending: %+v", c.command, c.id, in)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, filepath.Join(dir, "config.yaml"))); got != config {
		t.Errorf("config.yaml changed:\n%s", got)
	}
}
