package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// benchFunc is a benchmark function found in the module's test files.
type benchFunc struct {
	pkg  string // directory from the module root, "" for the root
	name string
	pos  string // file:line
}

// findBenchmarks lists the benchmark functions of the module rooted at
// root, as go test ./... would find them: in *_test.go files, outside
// testdata, vendor, directories starting with . or _, and nested modules.
func findBenchmarks(root string) ([]benchFunc, error) {
	var out []benchFunc
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if pkg == "." {
			pkg = ""
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !isBenchmark(fn) {
				continue
			}
			p := fset.Position(fn.Pos())
			relFile, _ := filepath.Rel(root, p.Filename)
			out = append(out, benchFunc{pkg: pkg, name: fn.Name.Name, pos: fmt.Sprintf("%s:%d", filepath.ToSlash(relFile), p.Line)})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out, err
}

// isBenchmark reports whether go test runs fn as a benchmark: its name is
// Benchmark followed by nothing or not a lower-case letter, and it takes
// one *testing.B.
func isBenchmark(fn *ast.FuncDecl) bool {
	name := fn.Name.Name
	rest, ok := strings.CutPrefix(name, "Benchmark")
	if !ok || (rest != "" && rest[0] >= 'a' && rest[0] <= 'z') {
		return false
	}
	params := fn.Type.Params.List
	if len(params) != 1 || len(params[0].Names) > 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "B"
}

// uncovered returns the benchmark functions no run covers.
func (d declared) uncovered(funcs []benchFunc) []benchFunc {
	var out []benchFunc
	for _, f := range funcs {
		if len(d.runsOf(keyOf(f.pkg, f.name))) == 0 {
			out = append(out, f)
		}
	}
	return out
}
