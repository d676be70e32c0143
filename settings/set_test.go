package settings

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func setDefaults() map[string]any {
	return map[string]any{
		"server": map[string]any{
			"host": "0.0.0.0",
			"port": 5000,
			"tls":  map[string]any{"enabled": false, "cert": ""},
		},
		"list":  []any{"a", "b"},
		"flag":  true,
		"ratio": 0.5,
		"plugins": map[string]any{
			"p": map[string]any{"greeting": "hi"},
		},
	}
}

func TestSetStoresOnlyDifferences(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		value any
		want  map[string]any // the user layer afterwards
		get   any            // Get(path) afterwards
	}{
		{
			name: "equal to default", path: "server.port", value: 5000,
			want: map[string]any{}, get: 5000,
		},
		{
			name: "equal after normalisation", path: "server.port", value: int64(5000),
			want: map[string]any{}, get: 5000,
		},
		{
			name: "differs from default", path: "server.port", value: 8080,
			want: map[string]any{"server": map[string]any{"port": 8080}}, get: 8080,
		},
		{
			name: "int is not float", path: "ratio", value: 1,
			want: map[string]any{"ratio": 1}, get: 1,
		},
		{
			name: "map equal to default", path: "server",
			value: map[string]any{"host": "0.0.0.0", "port": 5000, "tls": map[string]any{"enabled": false, "cert": ""}},
			want:  map[string]any{}, get: setDefaults()["server"],
		},
		{
			name: "map subset of default", path: "server",
			value: map[string]any{"port": 5000},
			want:  map[string]any{}, get: setDefaults()["server"],
		},
		{
			name: "map diff stored only", path: "server",
			value: map[string]any{"host": "0.0.0.0", "port": 9000, "tls": map[string]any{"enabled": true, "cert": ""}},
			want:  map[string]any{"server": map[string]any{"port": 9000, "tls": map[string]any{"enabled": true}}},
			get: map[string]any{
				"host": "0.0.0.0", "port": 9000, "tls": map[string]any{"enabled": true, "cert": ""},
			},
		},
		{
			name: "keys absent from defaults kept", path: "server",
			value: map[string]any{"port": 5000, "extra": map[string]any{"x": 1}, "tls": map[string]any{"key": "k"}},
			want:  map[string]any{"server": map[string]any{"extra": map[string]any{"x": 1}, "tls": map[string]any{"key": "k"}}},
			get: map[string]any{
				"host": "0.0.0.0", "port": 5000, "extra": map[string]any{"x": 1},
				"tls": map[string]any{"enabled": false, "cert": "", "key": "k"},
			},
		},
		{
			name: "map replacing a scalar default", path: "flag", value: map[string]any{"on": true},
			want: map[string]any{"flag": map[string]any{"on": true}}, get: map[string]any{"on": true},
		},
		{
			name: "list equal to default", path: "list", value: []string{"a", "b"},
			want: map[string]any{}, get: []any{"a", "b"},
		},
		{
			name: "list compared whole", path: "list", value: []any{"a", "b", "c"},
			want: map[string]any{"list": []any{"a", "b", "c"}}, get: []any{"a", "b", "c"},
		},
		{
			name: "shorter list stored whole", path: "list", value: []any{"a"},
			want: map[string]any{"list": []any{"a"}}, get: []any{"a"},
		},
		{
			name: "config version without default kept", path: "plugins.p._config_version", value: 2,
			want: map[string]any{"plugins": map[string]any{"p": map[string]any{"_config_version": 2}}}, get: 2,
		},
		{
			name: "no default at all", path: "new.deep.key", value: "v",
			want: map[string]any{"new": map[string]any{"deep": map[string]any{"key": "v"}}}, get: "v",
		},
		{
			name: "nil over a default", path: "server.host", value: nil,
			want: map[string]any{"server": map[string]any{"host": nil}}, get: nil,
		},
		{
			name: "root diff", path: "",
			value: map[string]any{"flag": false, "ratio": 0.5, "x": 1},
			want:  map[string]any{"flag": false, "x": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(setDefaults())
			mustSet(t, s, tt.path, tt.value)
			if diff := cmp.Diff(tt.want, s.UserData()); diff != "" {
				t.Errorf("user layer mismatch (-want +got):\n%s", diff)
			}
			if tt.path != "" {
				if diff := cmp.Diff(tt.get, s.Get(tt.path)); diff != "" {
					t.Errorf("Get mismatch (-want +got):\n%s", diff)
				}
			}
			if s.Dirty() != (len(tt.want) > 0) {
				t.Errorf("Dirty() = %v with user layer %v", s.Dirty(), tt.want)
			}
		})
	}
}

func TestSetBackToDefaultRemoves(t *testing.T) {
	s := New(setDefaults())
	mustSet(t, s, "server.tls.enabled", true)
	mustSet(t, s, "server.port", 1)
	mustSet(t, s, "server.port", 5000)
	want := map[string]any{"server": map[string]any{"tls": map[string]any{"enabled": true}}}
	if diff := cmp.Diff(want, s.UserData()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	mustSet(t, s, "server.tls.enabled", false)
	if diff := cmp.Diff(map[string]any{}, s.UserData()); diff != "" {
		t.Errorf("empty parents left behind (-want +got):\n%s", diff)
	}
}

func TestSetComparesWithOverlaysAndPluginDefaults(t *testing.T) {
	s := New(map[string]any{"theme": "light"})
	s.AddOverlay("o", map[string]any{"theme": "dark"})
	s.SetPluginDefaults("p", map[string]any{"size": 3})
	mustSet(t, s, "theme", "dark")     // the overlay's value
	mustSet(t, s, "plugins.p.size", 3) // the plugin's default
	if diff := cmp.Diff(map[string]any{}, s.UserData()); diff != "" {
		t.Errorf("values equal to lower layers stored (-want +got):\n%s", diff)
	}
	mustSet(t, s, "theme", "light") // the host default, hidden by the overlay
	if diff := cmp.Diff(map[string]any{"theme": "light"}, s.UserData()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got := s.GetString("theme"); got != "light" {
		t.Errorf("theme = %q, want light", got)
	}
}

func TestSetReplacesUserMap(t *testing.T) {
	s := New(nil)
	mustSet(t, s, "m", map[string]any{"a": 1, "b": 2})
	mustSet(t, s, "m", map[string]any{"c": 3})
	if diff := cmp.Diff(map[string]any{"c": 3}, s.Get("m")); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestSetThroughScalar(t *testing.T) {
	s := New(nil)
	mustSet(t, s, "a", 1)
	mustSet(t, s, "a.b", 2)
	if diff := cmp.Diff(map[string]any{"a": map[string]any{"b": 2}}, s.UserData()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestSetKeepsCallerValueSeparate(t *testing.T) {
	s := New(nil)
	v := map[string]any{"l": []any{1}}
	mustSet(t, s, "m", v)
	v["l"].([]any)[0] = 2
	v["x"] = 1
	if diff := cmp.Diff(map[string]any{"l": []any{1}}, s.Get("m")); diff != "" {
		t.Errorf("store shares the caller's value (-want +got):\n%s", diff)
	}
}

func TestSetNormalises(t *testing.T) {
	s := New(nil)
	mustSet(t, s, "i64", int64(5))
	mustSet(t, s, "u8", uint8(6))
	mustSet(t, s, "f32", float32(1.25))
	mustSet(t, s, "strs", []string{"a"})
	mustSet(t, s, "ints", map[string]int{"x": 1})
	want := map[string]any{
		"i64": 5, "u8": 6, "f32": 1.25,
		"strs": []any{"a"},
		"ints": map[string]any{"x": 1},
	}
	if diff := cmp.Diff(want, s.UserData()); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestSetErrors(t *testing.T) {
	type opts struct{ A int }
	tests := []struct {
		name  string
		path  string
		value any
		want  []string // substrings of the error
	}{
		{"struct", "plugins.p.opts", opts{}, []string{`"plugins.p.opts"`, "settings.opts"}},
		{"nested chan", "a", map[string]any{"b": []any{make(chan int)}}, []string{`"a.b.0"`, "chan int"}},
		{"func", "f", func() {}, []string{`"f"`, "func()"}},
		{"uint64 overflow", "big", ^uint64(0), []string{`"big"`, "uint64", "overflows"}},
		{"empty key", "a..b", 1, []string{`"a..b"`, "empty key"}},
		{"trailing dot", "a.", 1, []string{`"a."`}},
		{"root not a map", "", 1, []string{"root", "int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(nil)
			err := s.Set(tt.path, tt.value)
			if err == nil {
				t.Fatal("Set succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "settings: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if s.Dirty() || len(s.UserData()) != 0 {
				t.Error("failed Set changed the store")
			}
		})
	}
	if err := New(nil).Remove("a..b"); err == nil {
		t.Error("Remove of an invalid path succeeded")
	}
}

func TestRemove(t *testing.T) {
	s := New(setDefaults())
	mustSet(t, s, "server.port", 1)
	mustSet(t, s, "server.tls.cert", "c")
	mustSet(t, s, "other.deep.x", 1)

	if err := s.Remove("other.deep.x"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"server": map[string]any{"port": 1, "tls": map[string]any{"cert": "c"}}}
	if diff := cmp.Diff(want, s.UserData()); diff != "" {
		t.Errorf("empty parents not pruned (-want +got):\n%s", diff)
	}
	if err := s.Remove("server.tls.cert"); err != nil {
		t.Fatal(err)
	}
	if got := s.GetString("server.tls.cert"); got != "" {
		t.Errorf("default not visible again: %q", got)
	}
	if !s.Has("server.tls.cert") {
		t.Error("default missing after Remove")
	}
	if err := s.Remove("not.there"); err != nil {
		t.Errorf("Remove of an absent path: %v", err)
	}
	if err := s.Remove(""); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{}, s.UserData()); diff != "" {
		t.Errorf("Remove(\"\") left (-want +got):\n%s", diff)
	}
	if got := s.GetInt("server.port"); got != 5000 {
		t.Errorf("port = %d, want default 5000", got)
	}
}

func TestDirtyOnlyOnChange(t *testing.T) {
	tests := []struct {
		name  string
		op    func(*Store) error
		dirty bool
	}{
		{"set default", func(s *Store) error { return s.Set("server.port", 5000) }, false},
		{"set new", func(s *Store) error { return s.Set("server.port", 1) }, true},
		{"remove absent", func(s *Store) error { return s.Remove("server.port") }, false},
		{"remove root of empty", func(s *Store) error { return s.Remove("") }, false},
		{"overlay", func(s *Store) error { s.AddOverlay("o", map[string]any{"x": 1}); return nil }, false},
		{"plugin defaults", func(s *Store) error { s.SetPluginDefaults("p", map[string]any{"x": 1}); return nil }, false},
		{"failed set", func(s *Store) error { _ = s.Set("x", struct{}{}); return nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(setDefaults())
			if err := tt.op(s); err != nil {
				t.Fatal(err)
			}
			if s.Dirty() != tt.dirty {
				t.Errorf("Dirty() = %v, want %v", s.Dirty(), tt.dirty)
			}
		})
	}

	s := New(nil)
	mustSet(t, s, "a", 1)
	gen := s.gen
	mustSet(t, s, "a", 1) // same value again
	if s.gen != gen {
		t.Error("setting the same value counted as a change")
	}
}

func TestInMemorySaveIsNoop(t *testing.T) {
	s := New(nil)
	mustSet(t, s, "a", 1)
	if err := s.Save(); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if s.Path() != "" || s.writes != 0 {
		t.Errorf("in-memory store wrote: path %q, writes %d", s.Path(), s.writes)
	}
	if errors.Is(s.Save(), ErrReadOnly) {
		t.Error("in-memory store is read-only")
	}
}
