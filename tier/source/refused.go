package source

import (
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// refusal is one use, in a plugin's source, of what the allow-list
// (allow.go) does not give it.
type refusal struct {
	pos token.Position
	msg string
}

func (r refusal) Error() string { return r.pos.String() + ": " + r.msg }

// withoutPermission is the end of a refusal that a permission would lift.
func withoutPermission(perms ...string) string {
	quoted := make([]string, len(perms))
	for i, p := range perms {
		quoted[i] = strconv.Quote(p)
	}
	return fmt.Sprintf("without permission: declare Permissions: []string{%s} in its Definition, and have the operator allow it (plugins._allowUnsafe)", strings.Join(quoted, ", "))
}

// imported is a package a file imports, as the check sees it.
type imported struct {
	path string
	name string          // its package name
	std  *stdPkg         // nil for a host package
	vars map[string]bool // its package variables
}

// refusals checks a plugin's source against the allow-list, for a plugin
// granted the permissions g, host being the host packages' variables by
// import path and their names: every import of a package it may not
// import, every use of a symbol it may not use (through a named, renamed
// or dot import), every call of a held method name, and every write to (or
// address taken of) a package variable of the standard library or the
// host. It runs nothing: it reads the syntax, before the interpreter sees
// the plugin.
func (sb *sandbox) refusals(p *pkg, g map[string]bool, hostVars map[string]map[string]bool, hostNames map[string]string) []refusal {
	var out []refusal
	for _, f := range p.files {
		out = append(out, sb.fileRefusals(p.fset, f.ast, g, hostVars, hostNames)...)
	}
	return out
}

func (sb *sandbox) fileRefusals(fset *token.FileSet, f *ast.File, g map[string]bool, hostVars map[string]map[string]bool, hostNames map[string]string) []refusal {
	var out []refusal
	refuse := func(pos token.Pos, format string, args ...any) {
		out = append(out, refusal{pos: fset.Position(pos), msg: fmt.Sprintf(format, args...)})
	}
	names := make(map[string]*imported) // the file's import names
	var dots []*imported                // its dot imports
	for _, spec := range f.Imports {
		ipath, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		im := &imported{path: ipath, std: sb.pkgs[ipath], vars: hostVars[ipath]}
		rule, listed := allowList[ipath]
		name := path.Base(ipath)
		switch {
		case strings.HasPrefix(ipath, interpreterPrefix):
			refuse(spec.Pos(), "imports %s, a package of the interpreter itself, whose tables hold everything the allow-list holds back: no permission grants it", ipath)
			continue
		case listed && rule.never:
			refuse(spec.Pos(), "imports %s, which %s: no permission grants it", ipath, rule.why)
			continue
		case listed && rule.perm != "" && !g[rule.perm]:
			refuse(spec.Pos(), "imports %s, which %s, %s", ipath, rule.why, withoutPermission(rule.perm))
			continue
		case !listed && im.std != nil:
			refuse(spec.Pos(), "imports %s, which is not on the source tier's allow-list: no permission grants it", ipath)
			continue
		}
		if im.std != nil {
			name = im.std.name
			im.vars = im.std.vars
		} else if n, ok := hostNames[ipath]; ok {
			name = n
		}
		im.name = name
		if spec.Name != nil {
			name = spec.Name.Name
		}
		switch name {
		case "_":
		case ".":
			dots = append(dots, im)
		default:
			names[name] = im
		}
	}

	// symbol checks what a plugin may do with symbol name of package im.
	symbol := func(pos token.Pos, im *imported, name string) {
		sp := im.std
		if sp == nil || !sp.symbols[name] {
			return // a host package, or a symbol the interpreter reports as missing
		}
		qual := sp.name + "." + name
		rule := sp.rule
		switch perm := rule.permFor(name); {
		case perm == "-":
			refuse(pos, "uses %s, which is not on the source tier's allow-list: no permission grants it", qual)
		case perm != "" && perm != rule.perm && !g[perm]:
			refuse(pos, "uses %s, which %s, %s", qual, rule.held[strings.TrimPrefix(name, "_")].why, withoutPermission(perm))
		case sp.execOnly[name] && !(g[permSyscall] && g[permExec]):
			refuse(pos, "uses %s, which starts or ends processes, sends signals or makes raw system calls, %s", qual, withoutPermission(permSyscall, permExec))
		}
	}
	// dotSymbol finds the dot-imported package that has a symbol name.
	dotSymbol := func(name string) *imported {
		for _, im := range dots {
			if im.std != nil && im.std.symbols[name] || im.vars[name] {
				return im
			}
		}
		return nil
	}
	// root returns the package variable that expression e writes to or
	// through (pkg.V, pkg.V.F, pkg.V[i], *pkg.V, ...), if any.
	var root func(e ast.Expr) (string, bool)
	root = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.ParenExpr:
			return root(e.X)
		case *ast.StarExpr:
			return root(e.X)
		case *ast.IndexExpr:
			return root(e.X)
		case *ast.IndexListExpr:
			return root(e.X)
		case *ast.SliceExpr:
			return root(e.X)
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if im := names[x.Name]; im != nil {
					if im.vars[e.Sel.Name] {
						return im.name + "." + e.Sel.Name, true
					}
					return "", false
				}
			}
			return root(e.X)
		case *ast.Ident:
			if im := dotSymbol(e.Name); im != nil && im.vars[e.Name] {
				return im.name + "." + e.Name, true
			}
		}
		return "", false
	}
	write := func(e ast.Expr, verb string) {
		v, ok := root(e)
		if !ok {
			return
		}
		if verb == "writes to" {
			if _, direct := e.(*ast.SelectorExpr); !direct {
				if _, direct = e.(*ast.Ident); !direct {
					verb = "writes through"
				}
			}
			if sel, ok := e.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); !ok || names[x.Name] == nil {
					verb = "writes through"
				}
			}
		}
		refuse(e.Pos(), "%s %s, a package variable shared with the server: package variables are read-only for plugins; use a variable of the plugin's own", verb, v)
	}

	// Identifiers that are not uses of a dot-imported symbol: selected
	// names, keys of composite literals, declared names.
	skip := make(map[*ast.Ident]bool)
	if len(dots) > 0 {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				skip[n.Sel] = true
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok {
					skip[id] = true
				}
			case *ast.Field:
				for _, id := range n.Names {
					skip[id] = true
				}
			case *ast.FuncDecl:
				skip[n.Name] = true
			case *ast.ValueSpec:
				for _, id := range n.Names {
					skip[id] = true
				}
			case *ast.TypeSpec:
				skip[n.Name] = true
			case *ast.ImportSpec:
				if n.Name != nil {
					skip[n.Name] = true
				}
			case *ast.LabeledStmt:
				skip[n.Label] = true
			case *ast.BranchStmt:
				if n.Label != nil {
					skip[n.Label] = true
				}
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							skip[id] = true
						}
					}
				}
			}
			return true
		})
	}

	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				if im := names[x.Name]; im != nil {
					symbol(n.Sel.Pos(), im, n.Sel.Name)
					return false
				}
			}
			if h, ok := heldMethods[n.Sel.Name]; ok && !g[h.perm] {
				refuse(n.Sel.Pos(), "calls a method named %s (%s) %s; a method of the plugin's own of that name needs another name", n.Sel.Name, h.why, withoutPermission(h.perm))
			}
		case *ast.CallExpr:
			// v.MethodByName("UnsafePointer"): the same method by name.
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "MethodByName" && len(n.Args) == 1 {
				if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if name, err := strconv.Unquote(lit.Value); err == nil {
						if h, ok := heldMethods[name]; ok && !g[h.perm] {
							refuse(lit.Pos(), "calls a method named %s by reflection (%s) %s", name, h.why, withoutPermission(h.perm))
						}
					}
				}
			}
			if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "delete" || id.Name == "clear") && len(n.Args) > 0 {
				write(n.Args[0], "writes to")
			}
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					write(l, "writes to")
				}
			}
		case *ast.IncDecStmt:
			write(n.X, "writes to")
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				if n.Key != nil {
					write(n.Key, "writes to")
				}
				if n.Value != nil {
					write(n.Value, "writes to")
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				write(n.X, "takes the address of")
			}
		case *ast.Ident:
			if len(dots) > 0 && !skip[n] {
				if im := dotSymbol(n.Name); im != nil {
					symbol(n.Pos(), im, n.Name)
				}
			}
		}
		return true
	})
	return out
}
