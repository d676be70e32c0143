package settings

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	tentacle "github.com/tentacle-go/tentacle"
)

func TestPluginSettingsPrefixing(t *testing.T) {
	s := New(map[string]any{"server": map[string]any{"port": 5000}})
	s.SetPluginDefaults("hello", map[string]any{
		"greeting": "hi",
		"count":    3,
		"ratio":    0.5,
		"on":       true,
		"nested":   map[string]any{"a": 1},
	})
	var ps tentacle.Settings = s.Plugin("hello")

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Get", ps.Get("greeting"), "hi"},
		{"Get nested", ps.Get("nested.a"), 1},
		{"Get absent", ps.Get("nope"), nil},
		{"Get invalid", ps.Get("a..b"), nil},
		{"Get root", ps.Get(""), map[string]any{"greeting": "hi", "count": 3, "ratio": 0.5, "on": true, "nested": map[string]any{"a": 1}}},
		{"GetString", ps.GetString("greeting"), "hi"},
		{"GetInt", ps.GetInt("count"), 3},
		{"GetFloat", ps.GetFloat("ratio"), 0.5},
		{"GetBool", ps.GetBool("on"), true},
		{"Has", ps.Has("nested.a"), true},
		{"Has absent", ps.Has("server"), false},
		{"Has invalid", ps.Has("."), false},
		{"GlobalGet", ps.GlobalGet("server.port"), 5000},
		{"GlobalGet plugin", ps.GlobalGet("plugins.hello.count"), 3},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.name, diff)
		}
	}

	mustSet(t, ps, "greeting", "hello")
	mustSet(t, ps, "count", 3) // the default: not stored
	mustSet(t, ps, "nested", map[string]any{"a": 1, "b": 2})
	if err := ps.GlobalSet("server.port", 8080); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"server": map[string]any{"port": 8080},
		"plugins": map[string]any{"hello": map[string]any{
			"greeting": "hello",
			"nested":   map[string]any{"b": 2},
		}},
	}
	if diff := cmp.Diff(want, s.UserData()); diff != "" {
		t.Errorf("user layer mismatch (-want +got):\n%s", diff)
	}
	if err := ps.Remove("greeting"); err != nil {
		t.Fatal(err)
	}
	if got := ps.GetString("greeting"); got != "hi" {
		t.Errorf("after Remove: %q, want the default", got)
	}
	if err := ps.Set("a..b", 1); err == nil {
		t.Error("Set of an invalid path succeeded")
	}
	if err := ps.Remove("a..b"); err == nil {
		t.Error("Remove of an invalid path succeeded")
	}
	if err := ps.Remove(""); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"server": map[string]any{"port": 8080}}, s.UserData()); diff != "" {
		t.Errorf("Remove(\"\") left (-want +got):\n%s", diff)
	}
}

func TestPluginSettingsAll(t *testing.T) {
	s := New(nil)
	ps := s.Plugin("p")
	if got := ps.All(); got == nil || len(got) != 0 {
		t.Errorf("All() with nothing = %#v, want an empty map", got)
	}
	s.SetPluginDefaults("p", map[string]any{"m": map[string]any{"a": 1}, "l": []any{1}})
	mustSet(t, ps, "m.b", 2)
	all := ps.All()
	want := map[string]any{"m": map[string]any{"a": 1, "b": 2}, "l": []any{1}}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
	all["m"].(map[string]any)["a"] = 99
	all["l"].([]any)[0] = 99
	all["new"] = true
	if diff := cmp.Diff(want, ps.All()); diff != "" {
		t.Errorf("All is not a deep copy (-want +got):\n%s", diff)
	}
	// A scalar at plugins.<id> is not a settings map.
	mustSet(t, s, "plugins.q", "scalar")
	if got := s.Plugin("q").All(); got == nil || len(got) != 0 {
		t.Errorf("All() over a scalar = %#v", got)
	}
}

func TestPluginSettingsSaveSavesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "top", 1)
	ps := s.Plugin("p")
	mustSet(t, ps, "x", "v")
	if err := ps.Save(); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, path), "plugins:\n  p:\n    x: v\ntop: 1\n"; got != want {
		t.Errorf("file = %q, want %q", got, want)
	}
}
