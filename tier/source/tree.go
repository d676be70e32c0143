package source

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// The interpreter parses what it imports, although the tier has parsed the
// plugin's files already (to read its Definition): tree gives it that
// parse instead, the plugin's file and the glue as one file, which it
// compiles with CompileAST. The interpreter keys imports by file name, and
// one compiled file has one, so this is for a plugin of one file. Where
// the result could differ from importing the files (several files, build
// constraints, file names the interpreter skips, imports of one name for
// two packages), tree returns nil and the plugin is imported as files
// (sources).

// tree returns the plugin's package as one file for the interpreter whose
// file set is fset, with the Implementation moved to its own variable and
// the glue's declarations added, as sources writes them; nil if the
// plugin must be imported as files. fset must be the interpreter's and
// have no file yet: the plugin's files are added to it where they are in
// the tier's, so that the parsed positions hold.
func (def *definition) tree(p *pkg, glue []byte, fset *token.FileSet) *ast.File {
	if len(p.files) != 1 || !treeable(p) || fset.Base() != 1 || isGenericPkg(p.name) {
		// A compiled package is known by its name: slices, maps and cmp
		// are taken by the generic packages.
		return nil
	}
	// The interpreter keys a file's imports and types by the name of the
	// file where the file node is: the first file's package clause.
	first := p.files[0].ast
	out := &ast.File{Package: first.Package, Name: &ast.Ident{NamePos: first.Name.Pos(), Name: p.name}}
	imports := &ast.GenDecl{Tok: token.IMPORT, Lparen: 1}
	out.Decls = append(out.Decls, imports)
	names := make(map[string]string) // local name -> import path
	addImports := func(f *ast.File) bool {
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return false
			}
			name := path.Base(ip)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name == "." || name == p.name || strings.HasPrefix(ip, ".") {
				return false // relative imports: where the interpreter looks for them depends on how it imports
			}
			if seen, ok := names[name]; ok {
				if seen != ip {
					return false // one name for two packages in two files
				}
				continue
			}
			if name != "_" {
				names[name] = ip
			}
			imports.Specs = append(imports.Specs, imp)
			out.Imports = append(out.Imports, imp)
		}
		return true
	}
	var decls []ast.Decl
	for i, f := range p.files {
		if !addImports(f.ast) {
			return nil
		}
		for _, d := range f.ast.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			if i == def.file && def.impl != nil {
				if nd, moved := def.moveImpl(d); moved {
					if nd == nil {
						return nil
					}
					decls = append(decls, nd, implDecl(def.impl))
					continue
				}
			}
			decls = append(decls, d)
		}
	}
	// The plugin's files, where the tier parsed them.
	var ok bool
	p.fset.Iterate(func(tf *token.File) bool {
		if tf.Base() < fset.Base() {
			return false
		}
		nf := fset.AddFile(tf.Name(), tf.Base(), tf.Size())
		nf.SetLines(tf.Lines())
		nf.AddLineColumnInfo(0, tf.Name(), 1, 0) // lines without columns, as sources writes them
		ok = true
		return true
	})
	if !ok {
		return nil
	}
	// Under the plugin's file name: the interpreter looks an import up by
	// the name of the file where it is used.
	g, err := parser.ParseFile(fset, p.files[0].path, glue, parser.SkipObjectResolution)
	if err != nil || !addImports(g) {
		return nil
	}
	for _, d := range g.Decls {
		if gd, isGen := d.(*ast.GenDecl); !isGen || gd.Tok != token.IMPORT {
			decls = append(decls, d)
		}
	}
	out.Decls = append(out.Decls, decls...)
	return out
}

// moveImpl returns declaration d with the Implementation value replaced
// by the variable implVar, and whether d declares Plugin; nil and true if
// it does in a form moveImpl does not rewrite. d itself is not changed:
// the tier's parse is shared.
func (def *definition) moveImpl(d ast.Decl) (ast.Decl, bool) {
	gd, ok := d.(*ast.GenDecl)
	if !ok || gd.Tok != token.VAR {
		return nil, false
	}
	for si, spec := range gd.Specs {
		vs := spec.(*ast.ValueSpec)
		for k, name := range vs.Names {
			if name != def.name {
				continue
			}
			lit := *def.lit
			lit.Elts = append([]ast.Expr(nil), lit.Elts...)
			replaced := false
			for j, e := range lit.Elts {
				if kv, isKV := e.(*ast.KeyValueExpr); isKV && kv.Value == def.impl {
					nkv := *kv
					nkv.Value = &ast.Ident{NamePos: def.impl.Pos(), Name: implVar}
					lit.Elts[j] = &nkv
					replaced = true
				}
			}
			var val ast.Expr
			switch v := vs.Values[k].(type) {
			case *ast.CompositeLit:
				if v == def.lit {
					val = &lit
				}
			case *ast.UnaryExpr:
				if v.X == def.lit {
					u := *v
					u.X = &lit
					val = &u
				}
			}
			if val == nil || !replaced {
				return nil, true
			}
			nvs := *vs
			nvs.Values = append([]ast.Expr(nil), vs.Values...)
			nvs.Values[k] = val
			ngd := *gd
			ngd.Specs = append([]ast.Spec(nil), gd.Specs...)
			ngd.Specs[si] = &nvs
			return &ngd, true
		}
	}
	return nil, false
}

// implDecl declares implVar with the Implementation value.
func implDecl(impl ast.Expr) ast.Decl {
	return &ast.GenDecl{Tok: token.VAR, TokPos: impl.Pos(), Specs: []ast.Spec{&ast.ValueSpec{
		Names:  []*ast.Ident{{NamePos: impl.Pos(), Name: implVar}},
		Values: []ast.Expr{impl},
	}}}
}

// treeable reports whether the interpreter would take every file of the
// plugin as it is: no build constraint or interpreter tags (which it
// reads from the source), no name that it skips or reads as for an
// operating system or architecture.
func treeable(p *pkg) bool {
	for _, f := range p.files {
		if bytes.Contains(f.src, []byte("+build")) || bytes.Contains(f.src, []byte("yaegi:tags")) || bytes.Contains(f.src, []byte("//line")) {
			return false
		}
		base := strings.TrimSuffix(path.Base(f.path), ".go")
		if strings.HasPrefix(base, "_") || strings.HasPrefix(base, ".") || strings.HasSuffix(base, "_test") {
			return false
		}
		parts := strings.Split(base, "_")
		for _, part := range parts[1:] {
			if platformWords[part] {
				return false
			}
		}
	}
	return true
}

// platformWords are the operating systems and architectures a file name
// can end in (go tool dist list).
var platformWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos
		386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm`) {
		m[w] = true
	}
	return m
}()
