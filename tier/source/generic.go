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
// cmp), compiled for each interpreter that needs it.
type genericSource struct {
	pkg     string   // its import path
	imports []string // the packages it imports
	src     string   // its files as one
}

// genericSources are the generic packages, in the order of stdOrder, read
// once. A package's files become one source (the interpreter compiles
// each source with imports of the package's scope, so that a second file
// importing cmp again would redeclare it): its imports, then each file's
// declarations after a line directive that keeps their positions.
var genericSources = sync.OnceValue(func() []*genericSource {
	var out []*genericSource
	var decls strings.Builder
	seen := make(map[string]bool)
	fset := token.NewFileSet()
	flush := func() {
		gs := out[len(out)-1]
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n\n", gs.pkg)
		for _, ip := range gs.imports {
			fmt.Fprintf(&b, "import %q\n", ip)
		}
		gs.src = b.String() + decls.String()
		decls.Reset()
		clear(seen)
	}
	for _, name := range stdOrder {
		b, err := stdFiles.ReadFile(name)
		if err != nil {
			panic(err) // embedded above
		}
		f, err := parser.ParseFile(fset, name, b, parser.ImportsOnly)
		if err != nil {
			panic(err) // tested
		}
		pkg := f.Name.Name // slices, maps, cmp: the name is the path
		if len(out) > 0 && out[len(out)-1].pkg != pkg {
			flush()
		}
		if len(out) == 0 || out[len(out)-1].pkg != pkg {
			out = append(out, &genericSource{pkg: pkg})
		}
		gs := out[len(out)-1]
		for _, imp := range f.Imports {
			if ip, err := strconv.Unquote(imp.Path.Value); err == nil && !seen[ip] {
				seen[ip] = true
				gs.imports = append(gs.imports, ip)
			}
		}
		end := f.Name.End()
		if len(f.Decls) > 0 {
			end = f.Decls[len(f.Decls)-1].End() // ImportsOnly: the last import
		}
		pos := fset.Position(end)
		fmt.Fprintf(&decls, "\n//line %s/%s:%d\n%s", pkg, path.Base(name), pos.Line+1, b[pos.Offset:])
	}
	flush()
	return out
})

// genericsFor returns the sources to compile for a plugin that needs the
// packages in need: those of the generic packages it imports and of the
// generic packages these import (slices imports cmp), in the order of
// stdOrder; it adds what they import to need. A package no source of the
// plugin imports is left out: compiling slices is a large part of a load.
func genericsFor(need map[string]bool) []string {
	all := genericSources()
	byPkg := make(map[string]*genericSource, len(all))
	for _, gs := range all {
		byPkg[gs.pkg] = gs
	}
	want := make(map[string]bool)
	var visit func(p string)
	visit = func(p string) {
		gs, ok := byPkg[p]
		if !ok || want[p] {
			return
		}
		want[p] = true
		for _, ip := range gs.imports {
			visit(ip)
		}
	}
	for p := range need {
		visit(p)
	}
	var out []string
	for _, gs := range all {
		if want[gs.pkg] {
			out = append(out, gs.src)
			for _, ip := range gs.imports {
				need[ip] = true
			}
			need[gs.pkg] = true
		}
	}
	return out
}

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
		rest, ok := strings.CutPrefix(msg, f.path+":")
		if !ok {
			continue
		}
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
	names := make(map[string]string) // the file's name of slices, maps, cmp -> the package
	for _, imp := range f.Imports {
		ip, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !isGenericPkg(ip) {
			continue
		}
		name := ip
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = ip
	}
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

// isGenericPkg reports whether the package of import path ip is one of
// the generic standard library's.
func isGenericPkg(ip string) bool {
	return slices.ContainsFunc(genericSources(), func(gs *genericSource) bool { return gs.pkg == ip })
}
