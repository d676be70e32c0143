package settings

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layeredStore has one value per layer at "v", maps in every layer at "m"
// and a plugin "p" with defaults.
func layeredStore(t *testing.T) *Store {
	t.Helper()
	s := New(map[string]any{
		"v": "host",
		"m": map[string]any{"host": 1, "shared": "host", "deep": map[string]any{"h": 1, "x": "host"}},
		"plugins": map[string]any{
			"p": map[string]any{"v": "host", "host": true},
		},
		"onlyhost": 1,
	})
	s.SetPluginDefaults("p", map[string]any{"v": "plugin", "plugin": true})
	s.AddOverlay("o1", map[string]any{
		"v": "overlay1",
		"m": map[string]any{"overlay1": 1, "shared": "overlay1", "deep": map[string]any{"o": 1, "x": "overlay1"}},
		"plugins": map[string]any{
			"p": map[string]any{"v": "overlay1"},
		},
	})
	mustSet(t, s, "v", "user")
	mustSet(t, s, "m.user", 1)
	mustSet(t, s, "m.deep.x", "user")
	return s
}

func TestLayerPrecedence(t *testing.T) {
	s := layeredStore(t)
	tests := []struct {
		path string
		want any
	}{
		{"v", "user"},
		{"onlyhost", 1},
		{"m", map[string]any{
			"host": 1, "overlay1": 1, "user": 1, "shared": "overlay1",
			"deep": map[string]any{"h": 1, "o": 1, "x": "user"},
		}},
		{"m.deep.x", "user"},
		{"m.deep.h", 1},
		{"m.shared", "overlay1"},
		{"plugins.p", map[string]any{"v": "overlay1", "host": true, "plugin": true}},
		{"plugins.p.v", "overlay1"},
		{"missing", nil},
		{"m.missing.deeper", nil},
		{"v.through.scalar", nil},
		{"a..b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, s.Get(tt.path)); diff != "" {
				t.Errorf("Get(%q) mismatch (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestGetRoot(t *testing.T) {
	s := New(map[string]any{"a": 1, "b": map[string]any{"c": 2}})
	mustSet(t, s, "b.d", 3)
	want := map[string]any{"a": 1, "b": map[string]any{"c": 2, "d": 3}}
	if diff := cmp.Diff(want, s.Get("")); diff != "" {
		t.Errorf("Get(\"\") mismatch (-want +got):\n%s", diff)
	}
	if got := New(nil).Get(""); !cmp.Equal(got, map[string]any{}) {
		t.Errorf("empty store root = %#v, want empty map", got)
	}
}

func TestScalarHidesLowerMaps(t *testing.T) {
	s := New(map[string]any{"a": map[string]any{"b": 1, "c": 2}})
	s.AddOverlay("o", map[string]any{"a": "flat"})
	if got := s.Get("a"); got != "flat" {
		t.Errorf("Get(a) = %#v, want flat", got)
	}
	if s.Has("a.b") {
		t.Error("a.b visible through a scalar overlay")
	}
	// A map in a higher layer merges with nothing below the scalar.
	mustSet(t, s, "a.z", 9)
	if diff := cmp.Diff(map[string]any{"z": 9}, s.Get("a")); diff != "" {
		t.Errorf("Get(a) mismatch (-want +got):\n%s", diff)
	}
}

func TestListsComeWholeFromHighestLayer(t *testing.T) {
	s := New(map[string]any{"l": []any{1, 2, 3}})
	s.AddOverlay("o", map[string]any{"l": []any{"x"}})
	if diff := cmp.Diff([]any{"x"}, s.Get("l")); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestOverlays(t *testing.T) {
	s := New(map[string]any{"v": "host"})
	s.AddOverlay("a", map[string]any{"v": "a"})
	s.AddOverlay("b", map[string]any{"v": "b"})
	if got := s.GetString("v"); got != "b" {
		t.Errorf("newest overlay: got %q, want b", got)
	}
	s.AddOverlay("a", map[string]any{"v": "a2"}) // re-adding moves it to the top
	if got := s.GetString("v"); got != "a2" {
		t.Errorf("re-added overlay: got %q, want a2", got)
	}
	if !s.RemoveOverlay("a") {
		t.Error("RemoveOverlay(a) = false")
	}
	if got := s.GetString("v"); got != "b" {
		t.Errorf("after removing a: got %q, want b", got)
	}
	if s.RemoveOverlay("a") {
		t.Error("second RemoveOverlay(a) = true")
	}
	s.RemoveOverlay("b")
	if got := s.GetString("v"); got != "host" {
		t.Errorf("after removing all: got %q, want host", got)
	}
}

func TestPluginDefaults(t *testing.T) {
	s := New(map[string]any{"plugins": map[string]any{"p": map[string]any{"a": "host"}}})
	s.SetPluginDefaults("p", map[string]any{"a": "plugin", "b": map[string]any{"c": 1}})
	s.SetPluginDefaults("q", map[string]any{"a": "q"})
	s.SetPluginDefaults("dotted.id", map[string]any{"a": "dotted"})
	tests := []struct {
		path string
		want any
	}{
		{"plugins.p.a", "plugin"},
		{"plugins.p.b.c", 1},
		{"plugins.q.a", "q"},
		{"a", nil},
		{"plugins.dotted.id.a", nil}, // the id is one key
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, s.Get(tt.path)); diff != "" {
			t.Errorf("Get(%q) mismatch (-want +got):\n%s", tt.path, diff)
		}
	}
	if got := s.Plugin("dotted.id").GetString("a"); got != "dotted" {
		t.Errorf("dotted plugin id: got %q", got)
	}
	s.SetPluginDefaults("p", map[string]any{"a": "replaced"})
	if got := s.GetString("plugins.p.a"); got != "replaced" {
		t.Errorf("replaced defaults: got %q", got)
	}
	s.RemovePluginDefaults("p")
	if got := s.GetString("plugins.p.a"); got != "host" {
		t.Errorf("after RemovePluginDefaults: got %q, want host", got)
	}
	s.RemovePluginDefaults("never-added")
}

func TestGetReturnsCopies(t *testing.T) {
	s := New(map[string]any{"m": map[string]any{"l": []any{1}}, "l": []any{map[string]any{"x": 1}}})
	mustSet(t, s, "u", map[string]any{"k": []any{"a"}})
	s.Get("m").(map[string]any)["new"] = 1
	s.Get("m.l").([]any)[0] = 99
	s.Get("l").([]any)[0].(map[string]any)["x"] = 2
	s.Get("u.k").([]any)[0] = "changed"
	s.Get("").(map[string]any)["root"] = 1
	s.UserData()["u"].(map[string]any)["k"] = nil
	want := map[string]any{
		"m": map[string]any{"l": []any{1}},
		"l": []any{map[string]any{"x": 1}},
		"u": map[string]any{"k": []any{"a"}},
	}
	if diff := cmp.Diff(want, s.Get("")); diff != "" {
		t.Errorf("store changed through returned values (-want +got):\n%s", diff)
	}
}

func TestDefaultsAreCopied(t *testing.T) {
	host := map[string]any{"m": map[string]any{"a": 1}}
	over := map[string]any{"m": map[string]any{"b": 1}}
	s := New(host)
	s.AddOverlay("o", over)
	host["m"].(map[string]any)["a"] = 2
	over["m"].(map[string]any)["b"] = 2
	if diff := cmp.Diff(map[string]any{"a": 1, "b": 1}, s.Get("m")); diff != "" {
		t.Errorf("store shares caller maps (-want +got):\n%s", diff)
	}
}

func TestLookupAndHas(t *testing.T) {
	s := New(map[string]any{"null": nil, "a": map[string]any{"b": 0}})
	tests := []struct {
		path   string
		want   any
		wantOK bool
	}{
		{"null", nil, true},
		{"a.b", 0, true},
		{"a", map[string]any{"b": 0}, true},
		{"", map[string]any{"null": nil, "a": map[string]any{"b": 0}}, true},
		{"x", nil, false},
		{"a.b.c", nil, false},
		{"a..b", nil, false},
	}
	for _, tt := range tests {
		got, ok := s.Lookup(tt.path)
		if ok != tt.wantOK || !cmp.Equal(got, tt.want) {
			t.Errorf("Lookup(%q) = %#v, %v; want %#v, %v", tt.path, got, ok, tt.want, tt.wantOK)
		}
		if s.Has(tt.path) != tt.wantOK {
			t.Errorf("Has(%q) = %v, want %v", tt.path, !tt.wantOK, tt.wantOK)
		}
	}
}

func TestTypedGetters(t *testing.T) {
	s := New(map[string]any{
		"s":      "text",
		"i":      42,
		"neg":    -7,
		"fwhole": 3.0,
		"ffrac":  2.5,
		"fbig":   1e300,
		"nan":    math.NaN(),
		"b":      true,
		"bstr":   "true",
		"istr":   "12",
		"null":   nil,
		"list":   []any{1},
		"map":    map[string]any{"a": 1},
		"u64":    uint64(math.MaxUint64), // kept as is by lenient defaults
	})
	type want struct {
		s string
		i int
		f float64
		b bool
	}
	tests := []struct {
		path string
		want want
	}{
		{"s", want{s: "text"}},
		{"i", want{i: 42, f: 42}},
		{"neg", want{i: -7, f: -7}},
		{"fwhole", want{i: 3, f: 3}},
		{"ffrac", want{f: 2.5}},
		{"fbig", want{f: 1e300}},
		{"b", want{b: true}},
		{"bstr", want{s: "true"}},
		{"istr", want{s: "12"}},
		{"null", want{}},
		{"list", want{}},
		{"map", want{}},
		{"u64", want{f: math.MaxUint64}},
		{"missing", want{}},
		{"bad..path", want{}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := want{s.GetString(tt.path), s.GetInt(tt.path), s.GetFloat(tt.path), s.GetBool(tt.path)}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := s.GetInt("nan"); got != 0 {
		t.Errorf("GetInt(nan) = %d", got)
	}
}

func TestAsIntKinds(t *testing.T) {
	tests := []struct {
		in   any
		want int
	}{
		{int8(-1), -1}, {int16(2), 2}, {int32(3), 3}, {int64(4), 4},
		{uint(5), 5}, {uint8(6), 6}, {uint16(7), 7}, {uint32(8), 8}, {uint64(9), 9},
		{float32(10), 10}, {float32(1.5), 0}, {math.Inf(1), 0}, {9.3e18, 0},
	}
	for _, tt := range tests {
		if got := asInt(tt.in); got != tt.want {
			t.Errorf("asInt(%#v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestAsFloatKinds(t *testing.T) {
	tests := []struct {
		in   any
		want float64
	}{
		{int8(-1), -1}, {int16(2), 2}, {int32(3), 3}, {int64(4), 4}, {5, 5},
		{uint(5), 5}, {uint8(6), 6}, {uint16(7), 7}, {uint32(8), 8}, {uint64(9), 9},
		{float32(1.5), 1.5}, {2.5, 2.5}, {"1", 0}, {true, 0}, {nil, 0},
	}
	for _, tt := range tests {
		if got := asFloat(tt.in); got != tt.want {
			t.Errorf("asFloat(%#v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDefaultAndUserValue(t *testing.T) {
	st := New(map[string]any{"a": map[string]any{"b": 1, "c": 2}})
	st.AddOverlay("o", map[string]any{"a": map[string]any{"c": 3}})
	if err := st.Set("a.b", 10); err != nil {
		t.Fatal(err)
	}
	if v, ok := st.Default("a.b"); !ok || v != 1 {
		t.Errorf("Default(a.b) = %v, %v", v, ok)
	}
	if v, ok := st.Default("a.c"); !ok || v != 3 {
		t.Errorf("Default(a.c) = %v, %v; want the overlay's 3", v, ok)
	}
	if v, ok := st.UserValue("a.b"); !ok || v != 10 {
		t.Errorf("UserValue(a.b) = %v, %v", v, ok)
	}
	if _, ok := st.UserValue("a.c"); ok {
		t.Error("UserValue(a.c) found a value the user never set")
	}
	if _, ok := st.Default("a..b"); ok {
		t.Error("an invalid path resolved")
	}
}
