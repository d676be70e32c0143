package source

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// stdFiles are the generic standard library packages a plugin can import,
// as the interpreter compiles them (internal/std says how they differ from
// the standard library's). They replace the interpreter's own copies of
// Go's sources, which it cannot run: those infer E from S ~[]E, and leave
// out slices' sort functions.
//
//go:embed internal/std/cmp/cmp.go internal/std/maps/maps.go
//go:embed internal/std/slices/slices.go internal/std/slices/sort.go internal/std/slices/iter.go
var stdFiles embed.FS

// stdOrder is the order the files are compiled in: a package after those
// it imports, a file after those it uses.
var stdOrder = []string{
	"internal/std/cmp/cmp.go",
	"internal/std/maps/maps.go",
	"internal/std/slices/slices.go",
	"internal/std/slices/sort.go",
	"internal/std/slices/iter.go",
}

// genericSource is a generic standard library package (slices, maps,
// cmp), compiled for each interpreter that needs it, with only the
// declarations its plugin uses.
type genericSource struct {
	pkg     string // its import path
	imports []string
	decls   []*genericDecl // in the order of stdOrder
	byName  map[string]*genericDecl
}

// genericDecl is a package-level declaration of a generic package.
type genericDecl struct {
	src  string   // its text, after a line directive that keeps its position
	uses []string // the package-level names of its package it uses
	ext  []string // what it uses of other generic packages, "cmp.Compare"
}

// genericSources are the generic packages, in the order of stdOrder, read
// once.
var genericSources = sync.OnceValue(func() []*genericSource {
	var out []*genericSource
	fset := token.NewFileSet()
	for _, name := range stdOrder {
		b, err := stdFiles.ReadFile(name)
		if err != nil {
			panic(err) // embedded above
		}
		f, err := parser.ParseFile(fset, name, b, parser.SkipObjectResolution)
		if err != nil {
			panic(err) // tested
		}
		pkg := f.Name.Name // slices, maps, cmp: the name is the path
		if len(out) == 0 || out[len(out)-1].pkg != pkg {
			out = append(out, &genericSource{pkg: pkg, byName: make(map[string]*genericDecl)})
		}
		out[len(out)-1].add(fset, f, b, path.Join(pkg, path.Base(name)))
	}
	for _, gs := range out {
		for _, d := range gs.decls {
			d.uses = slices.DeleteFunc(d.uses, func(n string) bool { return gs.byName[n] == nil })
		}
	}
	return out
})

// add adds the declarations of file f, whose source is b, named name in
// line directives.
func (gs *genericSource) add(fset *token.FileSet, f *ast.File, b []byte, name string) {
	imported := make(map[string]bool)
	for _, imp := range f.Imports {
		if ip, err := strconv.Unquote(imp.Path.Value); err == nil {
			imported[ip] = true
			if !slices.Contains(gs.imports, ip) {
				gs.imports = append(gs.imports, ip)
			}
		}
	}
	for _, decl := range f.Decls {
		var names []string
		switch d := decl.(type) {
		case *ast.FuncDecl:
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					names = append(names, sp.Name.Name)
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
		start, end := fset.Position(decl.Pos()), fset.Position(decl.End())
		gd := &genericDecl{src: fmt.Sprintf("\n//line %s:%d:%d\n%s\n", name, start.Line, start.Column, b[start.Offset:end.Offset])}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && imported[x.Name] {
					gd.ext = append(gd.ext, x.Name+"."+n.Sel.Name)
					return false
				}
			case *ast.Ident:
				if !slices.Contains(names, n.Name) {
					gd.uses = append(gd.uses, n.Name) // kept if the package declares it
				}
			}
			return true
		})
		gs.decls = append(gs.decls, gd)
		for _, n := range names {
			gs.byName[n] = gd
		}
	}
}

// genericsFor returns the sources to compile for a plugin that needs the
// packages in need, of which it uses the names in used (package -> names;
// a package without an entry, all of it): for each generic package, the
// declarations the plugin uses and those these use, in the order of
// stdOrder, a package after those it uses. It adds the packages compiled
// to need. Compiling the whole of slices would be a large part of a load.
func genericsFor(need map[string]bool, used map[string]map[string]bool) []string {
	all := genericSources()
	byPkg := make(map[string]*genericSource, len(all))
	for _, gs := range all {
		byPkg[gs.pkg] = gs
	}
	keep := make(map[*genericDecl]bool)
	var visit func(gs *genericDecl)
	visit = func(d *genericDecl) {
		if keep[d] {
			return
		}
		keep[d] = true
		for _, e := range d.ext {
			p, n, _ := strings.Cut(e, ".")
			if gs := byPkg[p]; gs != nil && gs.byName[n] != nil {
				need[p] = true
				visit(gs.byName[n])
			}
		}
	}
	for _, gs := range all {
		if !need[gs.pkg] {
			continue
		}
		names, some := used[gs.pkg]
		for _, d := range gs.decls {
			if !some {
				visit(d)
			}
		}
		for n := range names {
			if d := gs.byName[n]; d != nil {
				visit(d)
			}
		}
	}
	// Within a package, what a kept declaration uses.
	for changed := true; changed; {
		changed = false
		for _, gs := range all {
			for _, d := range gs.decls {
				if !keep[d] {
					continue
				}
				for _, n := range d.uses {
					if u := gs.byName[n]; !keep[u] {
						visit(u)
						changed = true
					}
				}
			}
		}
	}
	var out []string
	for _, gs := range all {
		if !need[gs.pkg] {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n", gs.pkg)
		imports := make(map[string]bool)
		for _, d := range gs.decls {
			if keep[d] {
				for _, e := range d.ext {
					p, _, _ := strings.Cut(e, ".")
					imports[p] = true
				}
			}
		}
		for _, ip := range gs.imports {
			if imports[ip] {
				fmt.Fprintf(&b, "\nimport %q\n", ip)
			}
		}
		for _, d := range gs.decls {
			if keep[d] {
				b.WriteString(d.src)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// genericImports returns the names file f gives the generic packages it
// imports (name -> import path).
func genericImports(f *ast.File) map[string]string {
	names := make(map[string]string)
	for _, imp := range f.Imports {
		ip, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !isGenericPkg(ip) {
			continue
		}
		name := ip // slices, maps, cmp: the name is the path
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = ip
	}
	return names
}

// isGenericPkg reports whether the package of import path ip is one of
// the generic standard library's.
func isGenericPkg(ip string) bool {
	return slices.ContainsFunc(genericSources(), func(gs *genericSource) bool { return gs.pkg == ip })
}

// genericUses returns the names a plugin uses of each generic package it
// imports (package -> names), read from its selectors; a package it
// imports with a dot is left out, to be compiled whole.
func genericUses(p *pkg) map[string]map[string]bool {
	used := make(map[string]map[string]bool)
	whole := make(map[string]bool)
	for _, f := range p.files {
		names := genericImports(f.ast)
		for name, ip := range names {
			if name == "." {
				whole[ip] = true
			}
			if used[ip] == nil {
				used[ip] = make(map[string]bool)
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] != "" {
					used[names[x.Name]][sel.Sel.Name] = true
				}
			}
			return true
		})
	}
	for ip := range whole {
		delete(used, ip)
	}
	return used
}
