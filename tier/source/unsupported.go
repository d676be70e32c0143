package source

import (
	"fmt"
	"go/ast"
	"go/token"
)

// unsupported finds Go the interpreter cannot run (it implements the Go
// 1.22 language without range over integers or functions, and without the
// min and max builtins; it passes unnamed parameters wrongly, loses the
// values that are not calls in an assignment of several values where some
// are, has no go:embed, no clear builtin and no package iter), where it can
// be seen without type checking, so
// that the author gets a file:line and a way around it instead of an
// interpreter crash or a wrong value.
func unsupported(p *pkg) error {
	declared := make(map[string]bool) // package-level min/max/clear shadow the builtins
	types := make(map[string]bool)    // package-level types, for conversions
	iters := make(map[string]bool)    // package-level functions that return a function
	generic := make(map[string]bool)  // package-level generic functions
	for _, f := range p.files {
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = true
					generic[d.Name.Name] = d.Type.TypeParams != nil
					if r := d.Type.Results; r != nil && len(r.List) == 1 {
						_, iters[d.Name.Name] = r.List[0].Type.(*ast.FuncType)
					}
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						types[ts.Name.Name] = true
					}
				}
			}
		}
	}
	// A conversion is not a call for the interpreter: a, b = float64(n), 2
	// works. Conversions are told apart where that needs no type checking.
	isCall := func(e ast.Expr) bool {
		c, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		id, ok := c.Fun.(*ast.Ident)
		return !ok || !(types[id.Name] || (builtinTypes[id.Name] && !declared[id.Name]))
	}
	var found error
	for _, f := range p.files {
		for _, imp := range f.ast.Imports {
			switch imp.Path.Value {
			case `"embed"`:
				return fmt.Errorf("%s: //go:embed is not supported by the interpreter: read files from the plugin's BaseFolder() instead", p.fset.Position(imp.Pos()))
			case `"iter"`:
				return fmt.Errorf("%s: package iter is not supported by the interpreter, which cannot declare its generic function types: an iterator is a func(yield func(V) bool) here, as maps.Keys returns", p.fset.Position(imp.Pos()))
			}
		}
		stdIter, stdGeneric := stdIterators(f.ast)
		if err := genericInPackageVar(p, f.ast, stdGeneric, generic); err != nil {
			return err
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncDecl:
				found = unnamedParam(p, n.Type, n.Name.Name)
			case *ast.FuncLit:
				found = unnamedParam(p, n.Type, "a function literal")
			case *ast.AssignStmt:
				if n.Tok == token.ASSIGN && len(n.Rhs) > 1 {
					calls := 0
					for _, r := range n.Rhs {
						if isCall(r) {
							calls++
						}
					}
					if calls > 0 && calls < len(n.Rhs) {
						found = fmt.Errorf("%s: an assignment of several values where some are calls and some are not loses the values that are not calls in the interpreter: assign them one by one", p.fset.Position(n.Pos()))
					}
				}
			case *ast.ValueSpec:
				if name := genericCall(n, stdGeneric, generic); name != "" {
					found = fmt.Errorf("%s: a var of a named type given the result of the generic %s is left empty by the interpreter: write %s := T(%s(...)) instead", p.fset.Position(n.Pos()), name, n.Names[0].Name, name)
				}
			case *ast.RangeStmt:
				switch x := n.X.(type) {
				case *ast.BasicLit:
					if x.Kind == token.INT {
						found = fmt.Errorf("%s: range over an integer is not supported by the interpreter (Go 1.22 language): write for i := 0; i < %s; i++", p.fset.Position(n.Pos()), x.Value)
					}
				case *ast.FuncLit:
					found = fmt.Errorf("%s: range over a function is not supported by the interpreter (Go 1.22 language): call the function with a callback instead", p.fset.Position(n.Pos()))
				case *ast.CallExpr:
					if name := iteratorName(x, stdIter, iters); name != "" {
						found = fmt.Errorf("%s: range over %s(...), a function, is not supported by the interpreter (Go 1.22 language): collect it first (slices.Collect, slices.Sorted) or call it with a callback", p.fset.Position(n.Pos()), name)
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && !declared[id.Name] {
					switch id.Name {
					case "min", "max":
						found = fmt.Errorf("%s: the %s builtin is not supported by the interpreter (Go 1.22 language): write the comparison out", p.fset.Position(n.Pos()), id.Name)
					case "clear":
						found = fmt.Errorf("%s: the clear builtin is not supported by the interpreter: delete a map's keys in a loop or make a new map; set a slice's elements to the zero value in a loop", p.fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
	return found
}

// builtinTypes are the predeclared type names.
var builtinTypes = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true,
	"complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true,
	"int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true,
}

// unnamedParam reports a parameter without a name, which the interpreter
// passes wrongly.
func unnamedParam(p *pkg, ft *ast.FuncType, what string) error {
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			return fmt.Errorf("%s: %s has an unnamed parameter, which the interpreter passes wrongly: name every parameter (use _ for unused ones)", p.fset.Position(field.Pos()), what)
		}
	}
	return nil
}

// iterators are the functions of the generic standard library that
// return an iterator, by import path.
var iterators = map[string]map[string]bool{
	"maps":   {"All": true, "Keys": true, "Values": true},
	"slices": {"All": true, "Backward": true, "Chunk": true, "Values": true},
}

// stdIterators returns the iterator functions of the packages file f
// imports, by the name the file gives each package, and the names it
// gives the generic packages.
func stdIterators(f *ast.File) (iters map[string]map[string]bool, generic map[string]bool) {
	iters, generic = make(map[string]map[string]bool), make(map[string]bool)
	for name, ip := range genericImports(f) {
		generic[name] = true
		if iterators[ip] != nil {
			iters[name] = iterators[ip]
		}
	}
	return iters, generic
}

// genericInPackageVar reports a call of a generic function (the
// standard library's, whose packages file f names as in std, or the
// plugin's own) in the initialiser of a package-level variable of f, which
// the interpreter runs wrongly: a wrong result, a crash or "nil reflect
// type", without a line.
func genericInPackageVar(p *pkg, f *ast.File, std map[string]bool, own map[string]bool) error {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		var found error
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				ast.Inspect(v, func(n ast.Node) bool {
					if _, lit := n.(*ast.FuncLit); lit || found != nil {
						return false // a function body runs later, as any other
					}
					if c, ok := n.(*ast.CallExpr); ok {
						if name := calledGeneric(c, std, own); name != "" {
							found = fmt.Errorf("%s: the interpreter cannot call the generic %s in a package-level variable's initialiser: set the variable in func init() instead", p.fset.Position(c.Pos()), name)
						}
					}
					return true
				})
				if found != nil {
					return found
				}
			}
		}
	}
	return nil
}

// calledGeneric names the generic function c calls: one of the generic
// standard library's (its packages by the file's names in std) or of the
// plugin's own; "" if it is neither.
func calledGeneric(c *ast.CallExpr, std map[string]bool, own map[string]bool) string {
	fn := c.Fun
	switch f := fn.(type) {
	case *ast.IndexExpr: // explicit type arguments
		fn = f.X
	case *ast.IndexListExpr:
		fn = f.X
	}
	switch f := fn.(type) {
	case *ast.Ident:
		if own[f.Name] {
			return f.Name
		}
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok && std[x.Name] {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

// genericCall names the generic function whose result a var declaration
// of a named type (T or pkg.T, not a predeclared type) is given: one of
// the generic standard library's (its packages by the file's names in
// std) or of the plugin's own; "" if it is not such a declaration.
func genericCall(vs *ast.ValueSpec, std map[string]bool, own map[string]bool) string {
	switch t := vs.Type.(type) {
	case *ast.Ident:
		if builtinTypes[t.Name] {
			return ""
		}
	case *ast.SelectorExpr:
	default:
		return ""
	}
	for _, v := range vs.Values {
		if c, ok := v.(*ast.CallExpr); ok {
			if name := calledGeneric(c, std, own); name != "" {
				return name
			}
		}
	}
	return ""
}

// iteratorName names the function call c calls if it returns an
// iterator: one of stdIter's, or a package-level function in own; "" if
// it does not, or that cannot be told without type checking.
func iteratorName(c *ast.CallExpr, stdIter map[string]map[string]bool, own map[string]bool) string {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		if own[fn.Name] {
			return fn.Name
		}
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && stdIter[x.Name][fn.Sel.Name] {
			return x.Name + "." + fn.Sel.Name
		}
	}
	return ""
}
