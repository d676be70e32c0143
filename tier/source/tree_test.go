package source

import (
	"go/ast"
	"go/token"
	"testing"
)

// A plugin of one file is compiled from the tier's parse; where importing
// its files could give another result, it is imported as files.
func TestTreeOrFiles(t *testing.T) {
	plain := "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype T struct{}\n\nvar Plugin = tentacle.Definition{Name: \"T\", Implementation: &T{}}\n"
	for _, tc := range []struct {
		name  string
		paths []string
		srcs  []string
		tree  bool
	}{
		{"one file", []string{"/p/weather.go"}, []string{plain}, true},
		{"no implementation", []string{"/p/weather.go"}, []string{"package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"T\"}\n"}, true},
		{"two files", []string{"/p/w/a.go", "/p/w/b.go"}, []string{plain, "package p\n"}, false},
		{"build constraint", []string{"/p/weather.go"}, []string{"// +build linux\n\n" + plain}, false},
		{"platform file name", []string{"/p/weather_linux.go"}, []string{plain}, false},
		{"relative import", []string{"/p/weather.go"}, []string{"package p\n\nimport _ \"./x\"\n" + plain[len("package p\n"):]}, false},
		{"import named as the package", []string{"/p/weather.go"}, []string{"package p\n\nimport p \"strings\"\n" + plain[len("package p\n"):]}, false},
		{"package named as a generic one", []string{"/p/slices.go"}, []string{"package slices" + plain[len("package p"):]}, false},
		{"line directive", []string{"/p/weather.go"}, []string{plain + "//line other.go:1\nvar x = 1\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := make([][]byte, len(tc.srcs))
			for i, s := range tc.srcs {
				srcs[i] = []byte(s)
			}
			p, err := parsePackage(tc.paths, srcs)
			if err != nil {
				t.Fatal(err)
			}
			def, err := findDefinition(p)
			if err != nil || def == nil {
				t.Fatalf("definition: %v, %v", def, err)
			}
			glue, _ := def.glue(p.name, nil, func(string) bool { return true })
			f := def.tree(p, glue, token.NewFileSet())
			if (f != nil) != tc.tree {
				t.Fatalf("tree: %v, want %v", f != nil, tc.tree)
			}
		})
	}
}

// The tree moves the Implementation into its own variable without
// changing the tier's parse, which later loads share.
func TestTreeKeepsTheParse(t *testing.T) {
	p, err := parsePackage([]string{"/p/weather.go"}, [][]byte{[]byte("package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype T struct{}\n\nvar Plugin = &tentacle.Definition{Name: \"T\", Implementation: &T{}}\n")})
	if err != nil {
		t.Fatal(err)
	}
	def, err := findDefinition(p)
	if err != nil || def == nil || def.impl == nil {
		t.Fatalf("definition: %v, %v", def, err)
	}
	glue, _ := def.glue(p.name, nil, func(string) bool { return true })
	for range 2 {
		f := def.tree(p, glue, token.NewFileSet())
		if f == nil {
			t.Fatal("no tree")
		}
		var moved, declared bool
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := n.Value.(*ast.Ident); ok && id.Name == implVar {
					moved = true
				}
			case *ast.ValueSpec:
				if n.Names[0].Name == implVar && n.Values[0] == def.impl {
					declared = true
				}
			}
			return true
		})
		if !moved || !declared {
			t.Errorf("Implementation moved %v, its variable declared %v", moved, declared)
		}
		for _, e := range def.lit.Elts {
			if kv := e.(*ast.KeyValueExpr); kv.Key.(*ast.Ident).Name == "Implementation" && kv.Value != def.impl {
				t.Errorf("the tier's parse was changed: Implementation is %T", kv.Value)
			}
		}
	}
}
