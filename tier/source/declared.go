package source

import (
	"go/ast"
	"go/constant"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle/tier"
)

// The Definition fields whose values decide whether toggling a plugin needs
// a restart.
const (
	fieldHooks   = "Hooks"
	fieldImpl    = "Implementation"
	fieldOverlay = "SettingsOverlay"
)

// declaration reads from the plugin's source, without running any of it,
// what decides whether toggling it needs a restart (see
// [tier.Declaration]): the keys of its Hooks literal, whether its
// SettingsOverlay literal is non-empty, and the methods declared in the
// package on the type of its Implementation (&T{}, T{} or new(T)). exports
// are the host packages the plugin may import, whose string constants
// can name hooks.
//
// Methods are those the interpreter sees on T: methods declared with a
// receiver T or *T, whichever the value is (the interpreter finds both),
// and no promoted ones (it finds none through embedded fields).
//
// A part is unknown, not empty, when the source does not settle it: a value
// that is not a literal (a call, a variable used elsewhere too), a hook
// name that is not a constant string, an Implementation whose type is not
// declared in the package, or any mention of Plugin.Hooks,
// Plugin.Implementation or Plugin.SettingsOverlay outside the literal (an
// init function or Load that changes it), or of Plugin itself.
func declaration(p *pkg, def *definition, exports []map[string]map[string]reflect.Value) *tier.Declaration {
	sc := newScope(p, exports)
	touched := sc.pluginUses(def)
	d := &tier.Declaration{
		Hooks:                []string{},
		HooksKnown:           !touched[fieldHooks],
		MethodsKnown:         !touched[fieldImpl],
		SettingsOverlayKnown: !touched[fieldOverlay],
	}
	for _, elt := range def.lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		if key == nil {
			continue
		}
		switch key.Name {
		case fieldHooks:
			if isNil(kv.Value) {
				continue
			}
			lit, file, ok := sc.literal(def.file, kv.Value)
			if !ok {
				d.HooksKnown = false
				continue
			}
			for _, el := range lit.Elts {
				hkv, ok := el.(*ast.KeyValueExpr)
				var name string
				if ok {
					name, ok = sc.str(file, hkv.Key)
				}
				if !ok {
					d.HooksKnown = false
					continue
				}
				d.Hooks = append(d.Hooks, name)
			}
		case fieldOverlay:
			if isNil(kv.Value) {
				continue
			}
			lit, _, ok := sc.literal(def.file, kv.Value)
			if !ok {
				d.SettingsOverlayKnown = false
				continue
			}
			d.SettingsOverlay = len(lit.Elts) > 0
		case fieldImpl:
			methods, ok := sc.methods(kv.Value)
			d.Methods = methods
			d.MethodsKnown = d.MethodsKnown && ok
		}
	}
	slices.Sort(d.Hooks)
	d.Hooks = slices.Compact(d.Hooks)
	return d
}

// scope is what the package declares at top level, for reading values
// without running them.
type scope struct {
	p       *pkg
	exports []map[string]map[string]reflect.Value
	consts  map[string]constDecl
	vars    map[string]varDecl  // package variables with a value each
	types   map[string]bool     // defined (not alias) types
	names   map[string]bool     // every name declared at package level
	recv    map[string][]string // receiver type name -> method names
	idents  map[string]int      // how often each name occurs
}

// varDecl is one package variable: its value, whether its declaration
// gives it a type (var x any = ...), which its value may not have, and its
// file.
type varDecl struct {
	value ast.Expr
	typed bool
	file  int
}

// constDecl is one package constant: its value expression (repeated from
// the spec above it in a group, as Go does) and its file.
type constDecl struct {
	value ast.Expr
	file  int
}

func newScope(p *pkg, exports []map[string]map[string]reflect.Value) *scope {
	sc := &scope{p: p, exports: exports, consts: map[string]constDecl{}, vars: map[string]varDecl{},
		types: map[string]bool{}, names: map[string]bool{}, recv: map[string][]string{}, idents: map[string]int{}}
	for i, f := range p.files {
		for _, decl := range f.ast.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				sc.genDecl(i, decl)
			case *ast.FuncDecl:
				switch {
				case decl.Recv == nil:
					sc.names[decl.Name.Name] = true
				case len(decl.Recv.List) == 1:
					if t := receiverType(decl.Recv.List[0].Type); t != "" {
						sc.recv[t] = append(sc.recv[t], decl.Name.Name)
					}
				}
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				sc.idents[id.Name]++
			}
			return true
		})
	}
	return sc
}

func (sc *scope) genDecl(file int, gd *ast.GenDecl) {
	var last []ast.Expr // a constant spec without values repeats the previous ones
	for _, spec := range gd.Specs {
		switch spec := spec.(type) {
		case *ast.ValueSpec:
			values := spec.Values
			if gd.Tok == token.CONST {
				if len(values) == 0 {
					values = last
				}
				last = values
			}
			for k, name := range spec.Names {
				sc.names[name.Name] = true
				if len(values) != len(spec.Names) {
					continue // none, or the results of one call
				}
				if gd.Tok == token.CONST {
					sc.consts[name.Name] = constDecl{value: values[k], file: file}
				} else {
					sc.vars[name.Name] = varDecl{value: values[k], typed: spec.Type != nil, file: file}
				}
			}
		case *ast.TypeSpec:
			sc.names[spec.Name.Name] = true
			if !spec.Assign.IsValid() {
				sc.types[spec.Name.Name] = true
			}
		}
	}
}

// receiverType returns the type name of a method's receiver (T, *T, T[P]).
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// pluginUses returns the restart-deciding fields of Plugin that the
// package mentions outside the Definition literal's own keys (in init,
// in Load, anywhere), all of them when it mentions Plugin other than to
// select a field (&Plugin, f(Plugin), Plugin = ...), which may change any.
func (sc *scope) pluginUses(def *definition) map[string]bool {
	touched := map[string]bool{}
	selected := map[*ast.Ident]bool{}
	for _, f := range sc.p.files {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				selected[n.Sel] = true // a field or a qualified name, not the variable
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "Plugin" {
					selected[x] = true
					touched[n.Sel.Name] = true
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok {
					selected[k] = true // a field name in a literal
				}
			case *ast.Ident:
				if n.Name == "Plugin" && n != def.name && !selected[n] {
					touched[fieldHooks], touched[fieldImpl], touched[fieldOverlay] = true, true, true
				}
			}
			return true
		})
	}
	return touched
}

// literal returns the composite literal e (in file) is, &T{...} included,
// or that the package variable e names holds when nothing else mentions
// the variable (which could add to it), with the file it is in.
func (sc *scope) literal(file int, e ast.Expr) (*ast.CompositeLit, int, bool) {
	e, file = sc.deref(file, e, true)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	lit, ok := e.(*ast.CompositeLit)
	return lit, file, ok
}

// deref returns the value of the package variable e names, else e itself.
// When alone, only a variable that the package mentions nowhere else is
// followed (nothing else changes it); otherwise only one whose declaration
// gives it no type of its own (any other value it gets has the type of
// this one).
func (sc *scope) deref(file int, e ast.Expr, alone bool) (ast.Expr, int) {
	for range 8 { // var a = b; var b = ...: a few steps at most
		e = ast.Unparen(e)
		id, ok := e.(*ast.Ident)
		if !ok {
			return e, file
		}
		v, ok := sc.vars[id.Name]
		if !ok || (alone && sc.idents[id.Name] != 2) || (!alone && v.typed) {
			return e, file
		}
		e, file = v.value, v.file
	}
	return e, file
}

// methods returns the methods the interpreter sees on the value of an
// Implementation expression, and whether they are known.
func (sc *scope) methods(e ast.Expr) ([]string, bool) {
	e, _ = sc.deref(0, e, false)
	if isNil(e) {
		return nil, true
	}
	var typ ast.Expr
	switch x := e.(type) {
	case *ast.UnaryExpr:
		if lit, ok := ast.Unparen(x.X).(*ast.CompositeLit); ok && x.Op == token.AND {
			typ = lit.Type
		}
	case *ast.CompositeLit:
		typ = x.Type
	case *ast.CallExpr:
		if fn, ok := x.Fun.(*ast.Ident); ok && fn.Name == "new" && len(x.Args) == 1 && !sc.names["new"] {
			typ = x.Args[0]
		}
	}
	id, ok := ast.Unparen(typ).(*ast.Ident)
	if typ == nil || !ok || !sc.types[id.Name] {
		return nil, false
	}
	out := slices.Clone(sc.recv[id.Name])
	slices.Sort(out)
	return slices.Compact(out), true
}

// isNil reports whether e is the identifier nil.
func isNil(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil"
}

// str evaluates a constant string expression of file: a string literal, a
// package constant, a string constant of an imported host package, or a
// sum of those.
func (sc *scope) str(file int, e ast.Expr) (string, bool) {
	return sc.strDepth(file, e, 0)
}

func (sc *scope) strDepth(file int, e ast.Expr, depth int) (string, bool) {
	if depth > 32 { // a cycle: not valid Go anyway
		return "", false
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, err := strconv.Unquote(e.Value)
			return v, err == nil
		}
	case *ast.Ident:
		if c, ok := sc.consts[e.Name]; ok {
			return sc.strDepth(c.file, c.value, depth+1)
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			x, ok := sc.strDepth(file, e.X, depth+1)
			if !ok {
				return "", false
			}
			y, ok := sc.strDepth(file, e.Y, depth+1)
			return x + y, ok
		}
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return sc.imported(file, x.Name, e.Sel.Name)
		}
	}
	return "", false
}

// imported returns the string constant name of the package that file
// imports as alias, from the host's exports.
func (sc *scope) imported(file int, alias, name string) (string, bool) {
	var path string
	for _, imp := range sc.p.files[file].ast.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		a := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			a = imp.Name.Name
		}
		if a == alias {
			path = p
			break
		}
	}
	if path == "" {
		return "", false
	}
	for _, ex := range sc.exports {
		for key, syms := range ex {
			rest, ok := strings.CutPrefix(key, path+"/")
			if !ok || strings.Contains(rest, "/") {
				continue
			}
			v, ok := syms[name]
			if !ok || !v.IsValid() {
				continue
			}
			if c, ok := v.Interface().(constant.Value); ok {
				if c.Kind() == constant.String {
					return constant.StringVal(c), true
				}
				return "", false
			}
			// A typed constant is exported as its value; a variable as
			// an addressable one, which may change.
			if v.Kind() == reflect.String && !v.CanAddr() {
				return v.String(), true
			}
			return "", false
		}
	}
	return "", false
}
