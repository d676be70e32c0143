package serve_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
)

// sameShape reports where got lacks a key of want or holds a value of
// another JSON type (see testdata/octoprint/README.md).
func sameShape(path string, want, got any) []string {
	if want == nil {
		return nil
	}
	kind := func(v any) string { return fmt.Sprintf("%T", v) }
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: %s, want %s", path, kind(got), kind(want))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, path+"."+k+": missing")
				continue
			}
			out = append(out, sameShape(path+"."+k, w[k], gv)...)
		}
	case []any:
		if g := got.([]any); len(w) > 0 && len(g) > 0 {
			out = append(out, sameShape(path+"[0]", w[0], g[0])...)
		}
	}
	return out
}

// checkShape compares an answer with the fixture of OctoPrint's answer.
func checkShape(t *testing.T, fixture string, body []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "octoprint", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", fixture, err)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("answer for %s: %v: %s", fixture, err, body)
	}
	for _, p := range sameShape("", want, got) {
		t.Errorf("%s: %s", fixture, p)
	}
}

// The Plugin Manager answers in OctoPrint's shapes, field for field, so
// that OctoPrint's client reads them.
func TestPluginManagerShapes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data", "gone"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, setup{dir: dir, config: "plugins:\n  gone:\n    x: 1\n", plugins: map[string]*tentacle.Definition{demo.ID: demo.New()}})
	get := func(path string) []byte {
		t.Helper()
		r := h.do("GET", path, h.key, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		return r.body
	}
	post := func(body map[string]any) []byte {
		t.Helper()
		r := h.do("POST", "/api/plugin/pluginmanager", h.key, body)
		if r.status != 200 {
			t.Fatalf("POST %v: %d %s", body, r.status, r.body)
		}
		return r.body
	}
	checkShape(t, "plugins.json", get("/plugin/pluginmanager/plugins"))
	checkShape(t, "plugin.json", get("/plugin/pluginmanager/plugins/demo"))
	checkShape(t, "versions.json", get("/plugin/pluginmanager/plugins/versions"))
	checkShape(t, "orphans.json", get("/plugin/pluginmanager/orphans"))
	checkShape(t, "repository.json", get("/plugin/pluginmanager/repository"))
	checkShape(t, "toggle.json", post(map[string]any{"command": "disable", "plugin": "demo"}))
	checkShape(t, "toggle.json", post(map[string]any{"command": "enable", "plugin": "demo"}))
	checkShape(t, "cleanup.json", post(map[string]any{"command": "cleanup", "plugin": "gone"}))
	checkShape(t, "cleanup_all.json", post(map[string]any{"command": "cleanup_all"}))
}

// The clients of OctoPrint 1.x read everything with one GET of the simple
// API (get, getWithRefresh, getWithoutRefresh): the listing, orphan_data
// and the repository, each in OctoPrint's shape.
func TestPluginManagerAPIGet(t *testing.T) {
	dir := t.TempDir()
	h := start(t, setup{dir: dir, config: "plugins:\n  gone:\n    x: 1\n"})
	for _, path := range []string{"/api/plugin/pluginmanager", "/api/plugin/pluginmanager?refresh_repository=true"} {
		r := h.do("GET", path, h.key, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		for _, fixture := range []string{"plugins.json", "orphans.json", "repository.json"} {
			checkShape(t, fixture, r.body)
		}
		var got struct {
			Plugins    []struct{ Key string }
			OrphanData map[string]struct{ Settings bool } `json:"orphan_data"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Plugins) != 1 || got.Plugins[0].Key != demo.ID || !got.OrphanData["gone"].Settings {
			t.Errorf("GET %s: plugins %v, orphan_data %v; want demo, and gone's settings", path, got.Plugins, got.OrphanData)
		}
	}
}
