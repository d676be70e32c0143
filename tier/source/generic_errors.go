package source

import (
	"fmt"
	"go/ast"
	"strconv"
	"strings"
)

// cfgPanic is how the interpreter reports a crash while compiling; it
// crashes so when it infers a type parameter from a slice or map whose
// type comes from a compiled function (strings.Fields, os.ReadDir,
// http.Header) against a parameter []E or map[K]V.
const cfgPanic = "CFG post-order panic"

// explainGeneric adds to a load error that is such a crash the generic
// standard library functions called on its line, and the way around it;
// other errors are returned as they are.
func explainGeneric(p *pkg, err error) error {
	if err == nil || !strings.Contains(err.Error(), cfgPanic) {
		return err
	}
	msg := err.Error()
	for _, f := range p.files {
		at := strings.Index(msg, f.path+":")
		if at < 0 {
			continue
		}
		rest := msg[at+len(f.path)+1:]
		n, _, _ := strings.Cut(rest, ":")
		line, convErr := strconv.Atoi(n)
		if convErr != nil {
			return err
		}
		if calls := genericCalls(p, f.ast, line); len(calls) > 0 {
			return fmt.Errorf("%w: the interpreter cannot infer the type parameters of %s from a slice or map a compiled function returned (strings.Fields, os.ReadDir, http.Header): convert it first, as in slices.Sort([]string(words))", err, strings.Join(calls, ", "))
		}
		return err
	}
	return err
}

// genericCalls names the calls of the generic standard library's
// functions on line of file f.
func genericCalls(p *pkg, f *ast.File, line int) []string {
	names := genericImports(f)
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || p.fset.Position(c.Pos()).Line != line {
			return true
		}
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] != "" {
				out = append(out, names[x.Name]+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return out
}
