package folder

import (
	"fmt"
	"go/ast"
	"go/token"
)

// unsupported finds Go the interpreter cannot run (it implements the Go
// 1.22 language without range over integers or functions, and without the
// min and max builtins; it passes unnamed parameters wrongly, loses values
// in mixed multiple assignments and has no go:embed), where it can be seen without type checking, so that
// the author gets a file:line and a way around it instead of an
// interpreter crash.
func unsupported(p *pkg) error {
	declared := make(map[string]bool) // package-level min/max shadow the builtins
	for _, f := range p.files {
		for _, d := range f.ast.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				declared[fd.Name.Name] = true
			}
		}
	}
	var found error
	for _, f := range p.files {
		for _, imp := range f.ast.Imports {
			if imp.Path.Value == `"embed"` {
				return fmt.Errorf("%s: //go:embed is not supported by the interpreter: read files from the plugin's BaseFolder() instead", p.fset.Position(imp.Pos()))
			}
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
						if _, ok := r.(*ast.CallExpr); ok {
							calls++
						}
					}
					if calls > 0 && calls < len(n.Rhs) {
						found = fmt.Errorf("%s: an assignment of several values where some are calls and some are not loses the values that are not calls in the interpreter: assign them one by one", p.fset.Position(n.Pos()))
					}
				}
			case *ast.RangeStmt:
				switch x := n.X.(type) {
				case *ast.BasicLit:
					if x.Kind == token.INT {
						found = fmt.Errorf("%s: range over an integer is not supported by the interpreter (Go 1.22 language): write for i := 0; i < %s; i++", p.fset.Position(n.Pos()), x.Value)
					}
				case *ast.FuncLit:
					found = fmt.Errorf("%s: range over a function is not supported by the interpreter (Go 1.22 language): call the function with a callback instead", p.fset.Position(n.Pos()))
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "min" || id.Name == "max") && !declared[id.Name] {
					found = fmt.Errorf("%s: the %s builtin is not supported by the interpreter (Go 1.22 language): write the comparison out", p.fset.Position(n.Pos()), id.Name)
				}
			}
			return true
		})
	}
	return found
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
