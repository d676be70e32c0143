package source

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/tier"
)

// loadTestdata loads testdata/<folder>/<id>.go.
func loadTestdata(t *testing.T, folder, id string) (tier.Instance, error) {
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
			inst, err := loadTestdata(t, "generic", tc.id)
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
			inst, err := loadTestdata(t, "generic_refused", tc.id)
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

// Only the declarations a plugin uses of the generic packages it imports
// are compiled, with those they use, a package after those it uses.
func TestGenericsFor(t *testing.T) {
	for _, tc := range []struct {
		imports []string
		used    map[string]map[string]bool
		want    []string // package.name
		not     []string
	}{
		{nil, nil, nil, nil},
		{[]string{"strings", "fmt"}, nil, nil, nil},
		{[]string{"maps"}, map[string]map[string]bool{"maps": {"Clone": true}}, []string{"maps.Clone"}, []string{"maps.Keys"}},
		{[]string{"slices"}, map[string]map[string]bool{"slices": {"Contains": true}}, []string{"slices.Index", "slices.Contains"}, []string{"cmp.Compare", "slices.Sort"}},
		{[]string{"slices", "maps"}, map[string]map[string]bool{"slices": {"Sort": true}, "maps": {}},
			[]string{"cmp.Ordered", "cmp.Compare", "cmp.cmpIsNaN", "slices.Sort", "slices.slicesHeapSort", "slices.slicesSiftDown"},
			[]string{"cmp.Or", "slices.Contains", "maps.Clone"}},
		{[]string{"slices"}, nil, []string{"cmp.Compare", "slices.Contains", "slices.Sort", "slices.Chunk"}, []string{"cmp.Or"}},
		{[]string{"cmp"}, map[string]map[string]bool{"cmp": {"Or": true}}, []string{"cmp.Or"}, []string{"cmp.Compare", "cmp.Ordered"}},
	} {
		need := make(map[string]bool)
		for _, p := range tc.imports {
			need[p] = true
		}
		var got, pkgs []string
		fset := token.NewFileSet()
		for _, src := range genericsFor(need, tc.used) {
			f, err := parser.ParseFile(fset, "", src, 0)
			if err != nil {
				t.Fatalf("imports %v: %v in\n%s", tc.imports, err, src)
			}
			pkgs = append(pkgs, f.Name.Name)
			if !need[f.Name.Name] {
				t.Errorf("imports %v: %s compiled, not added to the packages needed", tc.imports, f.Name.Name)
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					got = append(got, f.Name.Name+"."+d.Name.Name)
				case *ast.GenDecl:
					for _, sp := range d.Specs {
						if ts, ok := sp.(*ast.TypeSpec); ok {
							got = append(got, f.Name.Name+"."+ts.Name.Name)
						}
					}
				}
			}
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("imports %v, uses %v: compiled %v, want %s", tc.imports, tc.used, got, w)
			}
		}
		if !slices.IsSorted(pkgs) { // cmp, maps, slices: a package after those it uses
			t.Errorf("imports %v, uses %v: packages compiled in the order %v", tc.imports, tc.used, pkgs)
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("imports %v, uses %v: compiled %s, which it does not use", tc.imports, tc.used, n)
			}
		}
	}
}
