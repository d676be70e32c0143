package source_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/source"
)

type lineHook func(string) string

func TestLint(t *testing.T) {
	const good = `package good

import "github.com/tentacle-go/tentacle"

type Good struct{ tentacle.Base }

func (g *Good) Initialize() error { return nil }

func rewrite(s string) string { return s }

var Plugin = tentacle.Definition{
	Name: "Good", Version: "1.0.0", Compat: ">=1.0",
	Implementation: &Good{},
	Hooks: tentacle.Hooks{"host.line": tentacle.Hook(rewrite, 10), "tentacle.plugin.good.x": rewrite},
}
`
	cases := []struct {
		name, file, src string
		ok              bool
		want            []string // substrings of problems, in any order
	}{
		{"good", "good.go", good, true, nil},
		{"no metadata", "bare.go", "package bare\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{}\n", true, []string{"no Name", "no Version"}},
		{"not semver", "ver.go", "package ver\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"V\", Version: \"one\"}\n", true, []string{"not semver"}},
		{"bad compat", "comp.go", "package comp\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"C\", Version: \"1.0.0\", Compat: \"banana\"}\n", false, []string{"not a semver constraint"}},
		{"future compat", "fut.go", "package fut\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"F\", Version: \"1.0.0\", Compat: \">=99\"}\n", false, []string{"excludes this host's API version"}},
		{"unknown hook", "unk.go", "package unk\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"U\", Version: \"1.0.0\", Hooks: tentacle.Hooks{\"host.nope\": func() {}}}\n", false, []string{"unknown hook"}},
		{"wrong handler type", "wrong.go", "package wrong\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"W\", Version: \"1.0.0\", Hooks: tentacle.Hooks{\"host.line\": func(n int) int { return n }}}\n", false, []string{"wrong handler type", "func(int) int"}},
		{"not a plugin", "none.go", "package none\n\nvar X = 1\n", false, []string{"no plugin definition"}},
		{"does not parse", "bad.go", "package bad\n\nvar Plugin = \n", false, []string{"bad.go:3:"}},
		{"load fails", "lf.go", "package lf\n\nimport (\n\t\"errors\"\n\n\t\"github.com/tentacle-go/tentacle\"\n)\n\nvar Plugin = tentacle.Definition{Name: \"L\", Version: \"1.0.0\", Load: func() error { return errors.New(\"no device\") }}\n", false, []string{"its Load fails: no device"}},
		{"unsupported", "uns.go", "package uns\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc f() {\n\tfor range 3 {\n\t}\n}\n\nvar Plugin = tentacle.Definition{Name: \"U\", Version: \"1.0.0\"}\n", false, []string{"uns.go:6:2: range over an integer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := plugins(t, map[string]string{tc.file: tc.src})
			reg := hooks.NewRegistry(hooks.Options{})
			hooks.MustDeclare[lineHook](reg, hooks.Spec{Name: "host.line"})
			r := source.Lint(context.Background(), filepath.Join(dir, tc.file), source.LintOptions{Hooks: reg})
			if r.OK() != tc.ok {
				t.Errorf("OK() = %v, want %v; problems %+v", r.OK(), tc.ok, r.Problems)
			}
			var all []string
			for _, p := range r.Problems {
				all = append(all, p.Message)
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems %q lack %q", joined, w)
				}
			}
			if tc.want == nil && len(r.Problems) != 0 {
				t.Errorf("unexpected problems %q", joined)
			}
		})
	}
	dir := plugins(t, map[string]string{"good.go": good})
	r := source.Lint(context.Background(), filepath.Join(dir, "good.go"), source.LintOptions{})
	if len(r.Mixins) != 1 || !strings.Contains(r.Mixins[0], "Initializer") || len(r.Hooks) != 2 {
		t.Errorf("report %+v", r)
	}
}

// An Implementation set in Load, outside the literal, cannot be reached:
// lint says so.
func TestLintImplementationOutsideLiteral(t *testing.T) {
	src := "package late\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype L struct{ tentacle.Base }\n\nvar Plugin = tentacle.Definition{Name: \"Late\", Version: \"1.0.0\", Load: func() error {\n\tPlugin.Implementation = &L{}\n\treturn nil\n}}\n"
	dir := plugins(t, map[string]string{"late.go": src})
	r := source.Lint(context.Background(), filepath.Join(dir, "late.go"), source.LintOptions{})
	if r.OK() || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "set outside the Plugin literal") {
		t.Errorf("problems %+v", r.Problems)
	}
}

// TestLintServerHooks lints plugins of the tentacle server against its
// hooks: a hook named by its OctoPrint alias is known, a filter is checked
// against the hook's filter type.
func TestLintServerHooks(t *testing.T) {
	const head = "package p\n\nimport (\n\t\"github.com/tentacle-go/tentacle\"\n\t\"github.com/tentacle-go/tentacle/server\"\n)\n\n" +
		"func gcode(phase string, cmd server.Command) []server.Command { return nil }\n\nfunc routes() []server.Route { return nil }\n\n"
	cases := []struct {
		name, hooks string
		want        string // a substring of the one problem; empty: none
	}{
		{"alias with filter", `"octoprint.comm.protocol.gcode.sending": tentacle.HookHandler{Func: gcode, Filter: server.Filter{Commands: []string{"M107"}}}`, ""},
		{"name with filter pointer", `"tentacle.comm.protocol.gcode.sent": tentacle.HookHandler{Func: gcode, Filter: &server.Filter{Observe: true}}`, ""},
		{"filter on a hook without filters", `"octoprint.server.http.routes": tentacle.HookHandler{Func: routes, Filter: server.Filter{}}`, "but the hook takes no filters"},
		{"filter of another type", `"octoprint.comm.protocol.gcode.sending": tentacle.HookHandler{Func: gcode, Filter: "M107"}`, "has a filter of type string, want server.Filter"},
		{"unknown name", `"octoprint.comm.protocol.gcode.sendin": gcode`, "unknown hook"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := head + "var Plugin = tentacle.Definition{Name: \"P\", Version: \"1.0.0\", Hooks: tentacle.Hooks{" + tc.hooks + "}}\n"
			dir := plugins(t, map[string]string{"p.go": src})
			reg := hooks.NewRegistry(hooks.Options{})
			if err := reg.DeclareAll(server.Hooks()); err != nil {
				t.Fatal(err)
			}
			r := source.Lint(context.Background(), filepath.Join(dir, "p.go"), source.LintOptions{Hooks: reg, Mixins: server.Mixins()})
			if tc.want == "" {
				if !r.OK() || len(r.Problems) != 0 {
					t.Errorf("problems %+v", r.Problems)
				}
				return
			}
			if r.OK() || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, tc.want) {
				t.Errorf("problems %+v, want one with %q", r.Problems, tc.want)
			}
		})
	}
}
