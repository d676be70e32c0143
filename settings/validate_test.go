package settings

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nested returns a value n maps deep: {"a": {"a": ... 1}}.
func nested(n int) any {
	var v any = 1
	for range n {
		v = map[string]any{"a": v}
	}
	return v
}

// Every way of storing a value refuses what YAML and JSON cannot both hold
// faithfully, and what is beyond the limits, with an error wrapping
// ErrInvalidValue that names the path; nothing is stored.
func TestSetRefusesInvalidValues(t *testing.T) {
	long := strings.Repeat("x", MaxStringBytes+1)
	big := make([]any, MaxValueBytes/16)
	for i := range big {
		big[i] = "0123456789"
	}
	tests := []struct {
		name     string
		path     string
		value    any
		wantPath string
		want     string // in the reason
	}{
		{"NaN", "plugins.p.x", math.NaN(), "plugins.p.x", "NaN is not a finite number"},
		{"+Inf", "plugins.p.x", math.Inf(1), "plugins.p.x", "+Inf is not a finite number"},
		{"-Inf in a list", "plugins.p.x", []any{1.5, math.Inf(-1)}, "plugins.p.x.1", "-Inf"},
		{"float32 Inf", "plugins.p.x", float32(math.Inf(1)), "plugins.p.x", "+Inf"},
		{"integer beyond 2^53", "plugins.p.x", int64(MaxSafeInteger + 1), "plugins.p.x", "9007199254740992 is beyond"},
		{"integer below -2^53", "plugins.p.x", map[string]any{"y": int64(-MaxSafeInteger - 1)}, "plugins.p.x.y", "-9007199254740992"},
		{"uint64 beyond int", "plugins.p.x", ^uint64(0), "plugins.p.x", "overflows int"},
		{"string not UTF-8", "plugins.p.x", "a\xffb", "plugins.p.x", `"a\xffb" is not valid UTF-8`},
		{"key not UTF-8", "plugins.p.x", map[string]any{"\xfe": 1}, "plugins.p.x.\xfe", "key"},
		{"path key not UTF-8", "plugins.p.\xfe", 1, "plugins.p.\xfe", "key"},
		{"string too long", "plugins.p.x", long, "plugins.p.x", "more than 65536"},
		{"key too long", "plugins.p.x", map[string]any{long: 1}, "plugins.p.x." + long, "more than 65536"},
		{"too deep", "plugins.p.x", nested(MaxDepth - 2), "plugins.p.x" + strings.Repeat(".a", MaxDepth-2), "deeper than 32"},
		{"too big", "plugins.p.x", big, "plugins.p.x", "larger than 1048576 bytes"},
		{"map with int keys", "plugins.p.x", map[int]int{1: 1}, "plugins.p.x", "unsupported type map[int]int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(map[string]any{"plugins": map[string]any{"p": map[string]any{"x": 1}}})
			ps := s.Plugin("p")
			rel := strings.TrimPrefix(tt.path, "plugins.p.")
			for name, set := range map[string]func() error{
				"Store.Set":                 func() error { return s.Set(tt.path, tt.value) },
				"PluginSettings.Set":        func() error { return ps.Set(rel, tt.value) },
				"PluginSettings.GlobalSet":  func() error { return ps.GlobalSet(tt.path, tt.value) },
				"Validate":                  func() error { return Validate(tt.path, tt.value) },
				"Store.Set of a parent map": func() error { return s.Set("plugins.p", map[string]any{rel: tt.value}) },
			} {
				if name == "Store.Set of a parent map" && strings.Contains(rel, ".") {
					continue
				}
				err := set()
				var ie *InvalidValueError
				if !errors.Is(err, ErrInvalidValue) || !errors.As(err, &ie) {
					t.Fatalf("%s: error %v, want an *InvalidValueError", name, err)
				}
				wantPath := tt.wantPath
				if name == "Store.Set of a parent map" && tt.name == "too big" {
					wantPath = "plugins.p" // the size of the value set
				}
				if ie.Path != wantPath || !strings.Contains(ie.Reason, tt.want) {
					t.Errorf("%s: error at %.80q: %.120q, want at %.80q: %q", name, ie.Path, ie.Reason, wantPath, tt.want)
				}
				if !strings.Contains(err.Error(), ie.Error()) {
					t.Errorf("%s: error %q does not say %q", name, err, ie.Error())
				}
			}
			if s.Dirty() || len(s.UserData()) != 0 {
				t.Errorf("a refused value changed the store: %v", s.UserData())
			}
		})
	}
}

// The limits are inclusive: what sits exactly on them is taken.
func TestSetTakesValuesOnTheLimits(t *testing.T) {
	s := New(nil)
	for path, v := range map[string]any{
		"plugins.p.max":     int64(MaxSafeInteger),
		"plugins.p.min":     int64(-MaxSafeInteger),
		"plugins.p.float":   math.MaxFloat64,
		"plugins.p.tiny":    math.SmallestNonzeroFloat64,
		"plugins.p.long":    strings.Repeat("é", MaxStringBytes/2),
		"plugins.p.deep":    nested(MaxDepth - 3),
		"plugins.p.unicode": "snow ☃, null \x00, bell \a",
	} {
		if err := s.Set(path, v); err != nil {
			t.Errorf("Set(%q): %v", path, err)
		}
	}
}

// A config.yaml holding values the store does not take is read without
// them: they read as their defaults, are reported with path and line, and
// the file is not written back until something else changes; the save
// that follows a change leaves them out.
func TestOpenLeavesOutInvalidValues(t *testing.T) {
	const content = `plugins:
  demo:
    huge: .inf
    nan: .nan
    count: 5
    big: 9007199254740993
    list: [1, .inf]
    blob: !!binary /w==
    ok:
      inner: -.inf
      kept: yes
`
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", content)
	s, err := Open(path, map[string]any{"plugins": map[string]any{"demo": map[string]any{"huge": 1}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []InvalidValueError{
		{Path: "plugins.demo.big", Line: 6, Reason: "the integer 9007199254740993 is beyond"},
		{Path: "plugins.demo.blob", Line: 8, Reason: "the string "},
		{Path: "plugins.demo.huge", Line: 3, Reason: "+Inf is not a finite number"},
		{Path: "plugins.demo.list.1", Line: 7, Reason: "+Inf"},
		{Path: "plugins.demo.nan", Line: 4, Reason: "NaN is not a finite number"},
		{Path: "plugins.demo.ok.inner", Line: 10, Reason: "-Inf"},
	}
	got := s.Ignored()
	if len(got) != len(want) {
		t.Fatalf("Ignored() = %+v, want %d values", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		// A list is left out whole; its error names the element.
		if g.Path != w.Path || !strings.HasPrefix(g.Reason, w.Reason) {
			t.Errorf("Ignored()[%d] = %+v, want %+v", i, g, w)
		}
		if g.Line != w.Line {
			t.Errorf("Ignored()[%d] line %d, want %d", i, g.Line, w.Line)
		}
	}
	wantUser := map[string]any{"plugins": map[string]any{"demo": map[string]any{
		"count": 5, "ok": map[string]any{"kept": "yes"},
	}}}
	if diff := cmp.Diff(wantUser, s.UserData()); diff != "" {
		t.Errorf("user layer (-want +got):\n%s", diff)
	}
	if got := s.Get("plugins.demo.huge"); got != 1 {
		t.Errorf("huge reads %v, want its default 1", got)
	}
	if s.Dirty() {
		t.Error("the store is dirty after Open")
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != content {
		t.Errorf("config.yaml written back with nothing changed:\n%s", got)
	}
	// Something else changes: the save writes the file without them.
	mustSet(t, s, "plugins.demo.count", 6)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	const saved = "plugins:\n  demo:\n    count: 6\n    ok:\n      kept: \"yes\"\n"
	if got := readFile(t, path); got != saved {
		t.Errorf("config.yaml after a change:\n%s\nwant\n%s", got, saved)
	}
	again, err := Open(path, nil)
	if err != nil || len(again.Ignored()) != 0 {
		t.Errorf("reopened: %v, ignored %+v", err, again.Ignored())
	}
}

// Too deep a file loses only what is too deep.
func TestOpenLeavesOutWhatIsTooDeep(t *testing.T) {
	var b strings.Builder
	for i := range MaxDepth + 2 {
		b.WriteString(strings.Repeat("  ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat("  ", MaxDepth+2) + "x: 1\n")
	b.WriteString("b: 2\n")
	path := writeFile(t, t.TempDir(), "config.yaml", b.String())
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ignored := s.Ignored()
	deepest := strings.TrimPrefix(strings.Repeat(".a", MaxDepth+1), ".")
	if len(ignored) != 1 || ignored[0].Path != deepest || ignored[0].Line != MaxDepth+1 || !strings.Contains(ignored[0].Reason, "deeper") {
		t.Errorf("Ignored() = %+v, want %s at line %d", ignored, deepest, MaxDepth+1)
	}
	if s.GetInt("b") != 2 || !s.Has(strings.TrimSuffix(deepest, ".a")) {
		t.Errorf("what is not too deep was lost: %v", s.UserData())
	}
}

// Finding 6 of issue 10: a save killed between writing its temporary file
// and renaming it leaves .config.yaml.tmp-<digits> behind.
// RemoveStaleTemporaryFiles removes those, and nothing else.
func TestRemoveStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, dir, "config.yaml", "a: 1\n")
	stale := []string{".config.yaml.tmp-1", ".config.yaml.tmp-4294967295"}
	kept := []string{
		".config.yaml.tmp-", ".config.yaml.tmp-12a", ".config.yaml.tmp-1.bak", "config.yaml.tmp-1",
		".other.yaml.tmp-1", ".config.yaml.tmp-x1", "notes.txt",
	}
	for _, name := range append(append([]string{}, stale...), kept...) {
		writeFile(t, dir, name, "x")
	}
	// A folder of the pattern is not a file: kept.
	if err := os.Mkdir(filepath.Join(dir, ".config.yaml.tmp-77"), 0o755); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, ".config.yaml.tmp-77")
	removed, err := RemoveStaleTemporaryFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	var wantRemoved []string
	for _, name := range stale {
		wantRemoved = append(wantRemoved, filepath.Join(dir, name))
	}
	if diff := cmp.Diff(wantRemoved, removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	want := append([]string{"config.yaml"}, kept...)
	slices.Sort(want)
	if diff := cmp.Diff(want, dirEntries(t, dir)); diff != "" {
		t.Errorf("left in the folder (-want +got):\n%s", diff)
	}
	// A missing folder has nothing to remove.
	if removed, err := RemoveStaleTemporaryFiles(filepath.Join(dir, "nope", "config.yaml")); err != nil || len(removed) != 0 {
		t.Errorf("missing folder: %v, %v", removed, err)
	}
}

// Of several bad values, the first in key order is reported, every time.
func TestValidateReportsTheFirstProblem(t *testing.T) {
	v := map[string]any{"z": math.NaN(), "m": map[string]any{"b": math.Inf(1), "a": "\xff"}, "c": 1, "d": 2, "e": 3}
	for range 20 {
		var ie *InvalidValueError
		if err := Validate("plugins.p", v); !errors.As(err, &ie) || ie.Path != "plugins.p.m.a" {
			t.Fatalf("Validate: %v, want the problem at plugins.p.m.a", err)
		}
	}
}
