package source

import (
	"go/ast"
	"go/token"
	"path"
	"reflect"
	"strconv"

	"github.com/tentacle-go/tentacle"
)

// The glue file asserts the implementation against every mixin whose
// package the plugin can see, and each assertion costs the interpreter a
// compile at every load: a host with twenty mixins pays twenty for a
// plugin that implements two. A mixin whose methods the implementation's
// type cannot have is left out of the glue; what the type may have is
// read from the plugin's source, and when it cannot be told for sure the
// glue asserts every mixin, as before.

// implMethods returns the names of the methods the implementation's type
// may have: those the plugin declares on it and those promoted from its
// embedded fields. ok is false when that cannot be told from the source
// (an implementation made by a function call, a type alias, a generic
// type, an embedded type that cannot be found); the set is then unknown.
// lookup finds a host or standard library type by import path and name.
func (def *definition) implMethods(p *pkg, lookup func(pkgPath, name string) (reflect.Type, bool)) (names map[string]bool, ok bool) {
	if def.impl == nil {
		return nil, false
	}
	var typeName string
	switch e := def.impl.(type) {
	case *ast.UnaryExpr: // &T{...}
		if lit, isLit := e.X.(*ast.CompositeLit); isLit && e.Op == token.AND {
			typeName = identName(lit.Type)
		}
	case *ast.CompositeLit: // T{...}
		typeName = identName(e.Type)
	case *ast.CallExpr: // new(T)
		if identName(e.Fun) == "new" && len(e.Args) == 1 {
			typeName = identName(e.Args[0])
		}
	}
	if typeName == "" {
		return nil, false
	}
	r := &methodReader{p: p, lookup: lookup, names: make(map[string]bool), seen: make(map[string]bool)}
	r.collectTypes()
	if !r.add(typeName) {
		return nil, false
	}
	return r.names, true
}

// identName returns the name of a plain identifier, or "".
func identName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// methodReader collects the method names of a plugin's types.
type methodReader struct {
	p      *pkg
	lookup func(pkgPath, name string) (reflect.Type, bool)
	types  map[string]*ast.TypeSpec // the package's types
	files  map[string]*ast.File     // the file declaring each
	names  map[string]bool
	seen   map[string]bool
}

func (r *methodReader) collectTypes() {
	r.types = make(map[string]*ast.TypeSpec)
	r.files = make(map[string]*ast.File)
	for _, f := range r.p.files {
		for _, d := range f.ast.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					r.types[ts.Name.Name] = ts
					r.files[ts.Name.Name] = f.ast
				}
			}
		}
	}
}

// add adds the methods of the plugin's type name, declared and promoted;
// false if they cannot be told.
func (r *methodReader) add(name string) bool {
	if r.seen[name] {
		return true
	}
	r.seen[name] = true
	ts, ok := r.types[name]
	if !ok || ts.Assign.IsValid() || ts.TypeParams != nil {
		return false // not declared here, an alias, or generic
	}
	for _, f := range r.p.files {
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
				continue
			}
			recv := fd.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if identName(recv) == name {
				r.names[fd.Name.Name] = true
			}
		}
	}
	switch t := ts.Type.(type) {
	case *ast.StructType:
		for _, field := range t.Fields.List {
			if len(field.Names) == 0 && !r.addEmbedded(field.Type, r.files[name]) {
				return false
			}
		}
		return true
	case *ast.InterfaceType:
		return false // an interface value's dynamic type is not known
	default:
		return true // a named non-struct type has only its own methods
	}
}

// addEmbedded adds the methods an embedded field's type promotes.
func (r *methodReader) addEmbedded(e ast.Expr, file *ast.File) bool {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	switch e := e.(type) {
	case *ast.Ident:
		if e.Name == "error" {
			r.names["Error"] = true
			return true
		}
		return r.add(e.Name)
	case *ast.SelectorExpr:
		pkgName := identName(e.X)
		if pkgName == "" {
			return false
		}
		ip, ok := r.importPath(file, pkgName)
		if !ok {
			return false
		}
		t, ok := r.lookup(ip, e.Sel.Name)
		if !ok {
			return false
		}
		if t.Kind() != reflect.Interface {
			t = reflect.PointerTo(t) // the pointer's method set holds the value's
		}
		for i := 0; i < t.NumMethod(); i++ {
			r.names[t.Method(i).Name] = true
		}
		return true
	}
	return false
}

// importPath returns the import path file imports as pkgName: by its
// explicit name, else by the last element of the path (the name of every
// package the interpreter has, but for major-version suffixes such as
// math/rand/v2, which then stays unknown).
func (r *methodReader) importPath(file *ast.File, pkgName string) (string, bool) {
	for _, imp := range file.Imports {
		ip, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == pkgName {
				return ip, true
			}
			continue
		}
		if path.Base(ip) == pkgName {
			return ip, true
		}
	}
	return "", false
}

// possibleMixins returns the mixins the implementation's type may
// implement, as far as the plugin's source tells (all of them when it
// cannot tell).
func possibleMixins(mixins []tentacle.Mixin, def *definition, p *pkg, lookup func(pkgPath, name string) (reflect.Type, bool)) []tentacle.Mixin {
	names, ok := def.implMethods(p, lookup)
	if !ok {
		return mixins
	}
	out := make([]tentacle.Mixin, 0, len(mixins))
	for _, mx := range mixins {
		if mx.Type == nil || mx.Type.Kind() != reflect.Interface || mayImplement(names, mx.Type) {
			out = append(out, mx)
		}
	}
	return out
}

// mayImplement reports whether a type with the methods names may
// implement interface t.
func mayImplement(names map[string]bool, t reflect.Type) bool {
	for i := 0; i < t.NumMethod(); i++ {
		if !names[t.Method(i).Name] {
			return false
		}
	}
	return true
}

// typeLookup finds a type of the standard library or the host by import
// path and name in the sandbox's tables (any permission: a plugin
// importing a package it may not have is refused before) and host's.
func (sb *sandbox) typeLookup(host []byPath) func(pkgPath, name string) (reflect.Type, bool) {
	sets := append([]byPath{sb.baseIdx}, host...)
	for _, p := range permissions {
		sets = append(sets, sb.grantsIdx[p])
	}
	return func(pkgPath, name string) (reflect.Type, bool) {
		for _, set := range sets {
			for _, syms := range set.pkgs[pkgPath] {
				if v, ok := syms[name]; ok && v.IsValid() && v.Kind() == reflect.Pointer && v.IsNil() {
					return v.Type().Elem(), true // a type is given as a nil *T
				}
			}
		}
		return nil, false
	}
}
