package source

import (
	"path"
	"reflect"
	"strconv"
	"strings"
)

// Each interpreter gets the packages its plugin imports, not every package
// the plugin could import: the interpreter copies each table it is given,
// symbol by symbol, and the whole allowed standard library is thousands of
// symbols, a third of a load's time when copied for each plugin. The
// tables themselves are built once (sandbox.go) and indexed by import path
// here.

// byPath is a set of symbol tables indexed by import path.
type byPath struct {
	// pkgs: import path -> its key as Use takes it -> symbols.
	pkgs map[string]exports
	// always are the entries that are not packages (the interface
	// wrappers' table ".", the interpreter's conversion hook): every
	// interpreter given the set gets them.
	always exports
	// wrappers are the packages' interface wrappers (the symbols "_X" of
	// interfaces X), which the interpreter looks up by the interface's
	// package whenever it converts a plugin's value to an interface of the
	// host: a package the plugin does not import may need them (an
	// io.Writer passed to slog.NewTextHandler). Every interpreter given
	// the set gets them; a package that is not imported stays out of
	// reach all the same (an import of it needs its whole table).
	wrappers exports
}

// index indexes ex by import path.
func index(ex exports) byPath {
	b := byPath{pkgs: make(map[string]exports), always: exports{}, wrappers: exports{}}
	for key, syms := range ex {
		p := path.Dir(key)
		if p == "." || strings.HasPrefix(key, interpreterPrefix) {
			b.always[key] = syms
			continue
		}
		if b.pkgs[p] == nil {
			b.pkgs[p] = exports{}
		}
		b.pkgs[p][key] = syms
		for name, v := range syms {
			if strings.HasPrefix(name, "_") {
				if b.wrappers[key] == nil {
					b.wrappers[key] = map[string]reflect.Value{}
				}
				b.wrappers[key][name] = v
			}
		}
	}
	return b
}

// has reports whether the set holds package pkgPath.
func (b byPath) has(pkgPath string) bool { return b.pkgs[pkgPath] != nil }

// pick returns the tables of the packages in need, the interface
// wrappers of the others, and the entries always given.
func (b byPath) pick(need map[string]bool) exports {
	out := make(exports, len(b.always)+len(b.wrappers))
	for key, syms := range b.always {
		out[key] = syms
	}
	for key, syms := range b.wrappers {
		out[key] = syms
	}
	for p := range need {
		for key, syms := range b.pkgs[p] {
			out[key] = syms
		}
	}
	return out
}

// pluginImports returns the packages a plugin's interpreter needs: those
// its files import and those the glue file imports (package tentacle and
// the mixins' packages). The interpreter's generic sources add theirs
// (genericsFor).
func pluginImports(p *pkg, mixins []reflect.Type) map[string]bool {
	need := map[string]bool{tentaclePath: true}
	for _, f := range p.files {
		for _, imp := range f.ast.Imports {
			if ip, err := strconv.Unquote(imp.Path.Value); err == nil {
				need[ip] = true
			}
		}
	}
	for _, t := range mixins {
		need[t.PkgPath()] = true
	}
	return need
}
