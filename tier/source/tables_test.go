package source

import (
	"strings"
	"testing"
)

// loadFixture loads testdata/tables/<id>.go.
func loadFixture(t *testing.T, id string) *instance {
	t.Helper()
	inst, err := loadTestdata(t, "tables", id)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst.(*instance)
}

// Each interpreter has the packages its plugin imports (and the glue's),
// not the whole allow-list; what its code does with them works, an
// interface of a package it does not import included.
func TestInterpreterGetsWhatThePluginImports(t *testing.T) {
	for _, tc := range []struct {
		id     string
		in     string
		want   string
		has    []string
		hasNot []string
	}{
		{id: "plain", in: "g1", want: "G1", has: []string{"strings", tentaclePath}, hasNot: []string{"fmt", "log", "net/http", "io", "slices"}},
		{id: "wrapper", in: "hello", want: "level=INFO msg=hello", has: []string{"log/slog", "strings"}, hasNot: []string{"io", "fmt"}},
		{id: "generic", in: "c,b,a", want: "has b", has: []string{"strings"}, hasNot: []string{"fmt", "maps"}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			in := loadFixture(t, tc.id)
			run, ok := in.Definition().Helpers["run"].(func(string) string)
			if !ok {
				t.Fatalf("helper is a %T", in.Definition().Helpers["run"])
			}
			if got := run(tc.in); !strings.Contains(got, tc.want) {
				t.Errorf("run(%q) = %q, want it to hold %q", tc.in, got, tc.want)
			}
			for _, p := range tc.has {
				if len(in.interp.Symbols(p)[p]) == 0 {
					t.Errorf("the interpreter lacks %s", p)
				}
			}
			for _, p := range tc.hasNot {
				if len(in.interp.Symbols(p)[p]) > 0 && !onlyWrappers(in.interp.Symbols(p)[p]) {
					t.Errorf("the interpreter has %s, which the plugin does not import", p)
				}
			}
		})
	}
}

func onlyWrappers[V any](syms map[string]V) bool {
	for name := range syms {
		if !strings.HasPrefix(name, "_") {
			return false
		}
	}
	return true
}
