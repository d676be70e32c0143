package source

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/tier"
)

// loadGeneric loads testdata/<folder>/<id>.go.
func loadGeneric(t *testing.T, folder, id string) (tier.Instance, error) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", folder, id+".go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id+".go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cands, err := New(dir, Options{}).Scan(context.Background())
	if err != nil || len(cands) != 1 || cands[0].Load == nil {
		t.Fatalf("scan: %v, %d candidates", err, len(cands))
	}
	return cands[0].Load(context.Background(), tier.Env{})
}

// The generic standard library works in a plugin, a family of functions
// per fixture, with the standard library's results.
func TestGenericStandardLibrary(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"slices_search", "true false true 1 2 2 true true false true -1 0 0"},
		{"slices_sort", "[1 1 2 3 4 5 6 9] [fig pear apple] [a b c] [{a 1} {d 1} {b 2} {c 2}] true false 5 true 2 -1 9aapple"},
		{"slices_edit", "[1 9 8 2 3] [8 2 3] [b a] [z a] [b a] [3 2 1] [1 3 5] [1 2 3 1] [a b] [1 7 4] [1 2 3 4] [ab ab ab] true 0"},
		{"iterators", "[x y z] [1 2 3] [a bb ccc] [c b a][1 2][3 4][5]3 4 [0 1] [0 1 2]"},
		{"maps_funcs", "100text/plain2 3 true false map[b:2 z:26] true trueOK"},
		{"cmp_funcs", "-1 1 -1 truedefault7 [a b c] [3 2 1]"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			inst, err := loadGeneric(t, "generic", tc.id)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			defer inst.Close()
			run, ok := inst.Definition().Helpers["run"].(func() string)
			if !ok {
				t.Fatalf("helper is a %T", inst.Definition().Helpers["run"])
			}
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("run() panicked: %v", r)
				}
			}()
			if got := run(); got != tc.want {
				t.Errorf("run() = %q\n                   want %q", got, tc.want)
			}
		})
	}
}

// What the interpreter cannot run of the generic standard library fails
// the load, saying where, what and what to write instead.
func TestGenericStandardLibraryRefused(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"range_keys", "range_keys.go:11:2: range over maps.Keys(...), a function, is not supported"},
		{"range_own", "range_own.go:17:2: range over upTo(...), a function, is not supported"},
		{"iter_import", "iter_import.go:4:2: package iter is not supported by the interpreter"},
		{"clear_builtin", "clear_builtin.go:6:2: the clear builtin is not supported by the interpreter"},
		{"named_var", "named_var.go:12:6: a var of a named type given the result of the generic slices.Clone is left empty by the interpreter: write out := T(slices.Clone(...)) instead"},
		{"package_var", "package_var.go:11:15: the interpreter cannot call the generic maps.Clone in a package-level variable's initialiser: set the variable in func init() instead"},
		{"compiled_slice", "compiled_slice.go:12: CFG post-order panic: runtime error: invalid memory address or nil pointer dereference: the interpreter cannot infer the type parameters of slices.Sort from a slice or map a compiled function returned"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			inst, err := loadGeneric(t, "generic_refused", tc.id)
			if err == nil {
				inst.Close()
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to hold %q", err, tc.want)
			}
		})
	}
}
