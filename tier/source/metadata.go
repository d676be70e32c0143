package source

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle/tier"
)

// tentaclePath is the import path of the author API.
const tentaclePath = "github.com/tentacle-go/tentacle"

// srcFile is one parsed file of a plugin.
type srcFile struct {
	path string
	src  []byte
	ast  *ast.File
}

// pkg is a plugin's parsed package.
type pkg struct {
	name  string
	fset  *token.FileSet
	files []srcFile
}

// readFiles reads a plugin's files.
func readFiles(paths []string) ([][]byte, error) {
	out := make([][]byte, len(paths))
	for i, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out[i] = src
	}
	return out, nil
}

// parsePackage parses a plugin's files. A file that does not parse, or
// files of different packages, are an error with the file and line.
func parsePackage(paths []string, srcs [][]byte) (*pkg, error) {
	p := &pkg{fset: token.NewFileSet()}
	for i, path := range paths {
		src := srcs[i]
		f, err := parser.ParseFile(p.fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("does not parse: %w", err)
		}
		if p.name == "" {
			p.name = f.Name.Name
		} else if f.Name.Name != p.name {
			return nil, fmt.Errorf("%s: package %s, but the other files are package %s", p.fset.Position(f.Name.Pos()), f.Name.Name, p.name)
		}
		if p.name == "main" {
			return nil, fmt.Errorf("%s: a plugin is a package, not package main", p.fset.Position(f.Name.Pos()))
		}
		p.files = append(p.files, srcFile{path: path, src: src, ast: f})
	}
	return p, nil
}

// definition is where a plugin declares its Definition, and what can be
// read from it without running it.
type definition struct {
	file     int        // index in pkg.files
	name     *ast.Ident // Plugin, where it is declared
	lit      *ast.CompositeLit
	pointer  bool          // Plugin is &tentacle.Definition{...}
	impl     ast.Expr      // the Implementation value, if any
	metadata tier.Metadata // the constant fields
	warnings []string
}

// findDefinition finds "var Plugin = tentacle.Definition{...}" (or a
// pointer to one) and reads its constant fields. It returns nil when there
// is none: the package is not a plugin.
func findDefinition(p *pkg) (*definition, error) {
	var def *definition
	consts := stringConsts(p)
	for i, f := range p.files {
		alias := importName(f.ast, tentaclePath)
		for _, decl := range f.ast.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for k, name := range vs.Names {
					if name.Name != "Plugin" || k >= len(vs.Values) {
						continue
					}
					lit := definitionLiteral(vs.Values[k], alias)
					if lit == nil {
						return nil, fmt.Errorf("%s: Plugin must be a %s.Definition literal", p.fset.Position(name.Pos()), alias)
					}
					_, ptr := vs.Values[k].(*ast.UnaryExpr)
					def = &definition{file: i, name: name, lit: lit, pointer: ptr}
				}
			}
		}
	}
	if def == nil {
		return nil, nil
	}
	for _, elt := range def.lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			return nil, fmt.Errorf("%s: use field names in the Definition literal", p.fset.Position(elt.Pos()))
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil {
			continue
		}
		m := &def.metadata
		str := func(dst *string) {
			if v, ok := stringValue(kv.Value, consts); ok {
				*dst = v
			} else {
				def.warnings = append(def.warnings, fmt.Sprintf("%s: %s is not a constant string, so it is not known before the plugin runs", p.fset.Position(kv.Value.Pos()), key.Name))
			}
		}
		switch key.Name {
		case "Name":
			str(&m.Name)
		case "Version":
			str(&m.Version)
		case "Description":
			str(&m.Description)
		case "Author":
			str(&m.Author)
		case "URL":
			str(&m.URL)
		case "License":
			str(&m.License)
		case "PrivacyPolicy":
			str(&m.PrivacyPolicy)
		case "Compat":
			str(&m.Compat)
		case "DisablingDiscouraged":
			str(&m.DisablingDiscouraged)
		case "Hidden":
			if id, ok := kv.Value.(*ast.Ident); ok {
				m.Hidden = id.Name == "true"
			}
		case "Permissions":
			perms, ok := stringList(kv.Value, consts)
			if !ok {
				return nil, fmt.Errorf("%s: Permissions must be a literal list of strings", p.fset.Position(kv.Value.Pos()))
			}
			for _, perm := range perms {
				if !contains(permissions, perm) {
					return nil, fmt.Errorf("%s: unknown permission %q (known: %s)", p.fset.Position(kv.Value.Pos()), perm, strings.Join(permissions, ", "))
				}
			}
			m.Permissions = perms
		case "Implementation":
			def.impl = kv.Value
		}
	}
	return def, nil
}

// importName returns the name under which f imports path ("" if it does
// not).
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// definitionLiteral returns the Definition literal of e: alias.Definition{}
// or &alias.Definition{}.
func definitionLiteral(e ast.Expr, alias string) *ast.CompositeLit {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok || alias == "" {
		return nil
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Definition" {
		return nil
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != alias {
		return nil
	}
	return lit
}

// stringConsts collects the package's top-level string constants.
func stringConsts(p *pkg) map[string]string {
	out := make(map[string]string)
	for _, f := range p.files {
		for _, decl := range f.ast.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for k, name := range vs.Names {
					if k < len(vs.Values) {
						if bl, ok := vs.Values[k].(*ast.BasicLit); ok && bl.Kind == token.STRING {
							if v, err := strconv.Unquote(bl.Value); err == nil {
								out[name.Name] = v
							}
						}
					}
				}
			}
		}
	}
	return out
}

// stringValue returns the value of a string literal or of a top-level
// string constant.
func stringValue(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, err := strconv.Unquote(e.Value)
			return v, err == nil
		}
	case *ast.Ident:
		v, ok := consts[e.Name]
		return v, ok
	}
	return "", false
}

// stringList reads a []string literal.
func stringList(e ast.Expr, consts map[string]string) ([]string, bool) {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(lit.Elts))
	for _, el := range lit.Elts {
		v, ok := stringValue(el, consts)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}
