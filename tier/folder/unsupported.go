package folder

import (
	"fmt"
	"go/ast"
	"go/token"
)

// unsupported finds Go the interpreter cannot run (it implements the Go
// 1.22 language without range over integers or functions, and without the
// min and max builtins; it passes unnamed parameters wrongly), where it can be seen without type checking, so that
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
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncDecl:
				for _, field := range n.Type.Params.List {
					if len(field.Names) == 0 {
						found = fmt.Errorf("%s: %s has an unnamed parameter, which the interpreter passes wrongly: name every parameter (use _ for unused ones)", p.fset.Position(field.Pos()), n.Name.Name)
						break
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
