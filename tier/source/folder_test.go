package source_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// plugins writes files (relative path -> content) into a new plugins folder.
func plugins(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, path, content)
	}
	return dir
}

func scan(t *testing.T, dir string) map[string]tier.Candidate {
	t.Helper()
	cands, err := source.New(dir, source.Options{}).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]tier.Candidate)
	for _, c := range cands {
		out[c.ID] = c
	}
	return out
}

const hello = `package hello

import tt "github.com/tentacle-go/tentacle"

const version = "1.2.3"

type Hello struct{ tt.Base }

func (h *Hello) Initialize() error { return nil }

var Plugin = &tt.Definition{
	Name:        "Hello",
	Version:     version,
	Description: "Says hello",
	Author:      "Ada",
	URL:         "https://example.invalid",
	License:     "MIT",
	Compat:      ">=1.0",
	Hidden:      true,
	Implementation: &Hello{
	},
}
`

func TestScan(t *testing.T) {
	dir := plugins(t, map[string]string{
		"hello.go":         hello,
		"two/a.go":         "package two\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"Two\", Version: \"2.0\"}\n",
		"two/b.go":         "package two\n\nfunc helper() {}\n",
		"two/b_test.go":    "package two\n",
		"two.go":           "package shadowed\n",
		"old_disabled.go":  "package old\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"Old\"}\n",
		"notes.go":         "package notes\n\nvar Answer = 42\n",
		"broken.go":        "package broken\n\nvar Plugin = tentacle.Definition{\n",
		"mixed/a.go":       "package a\n",
		"mixed/b.go":       "package b\n",
		"main.go":          "package main\n\nfunc main() {}\n",
		"Bad-Name.go":      "package bad\n",
		"perm.go":          "package perm\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Permissions: []string{\"os/exec\", \"network\"}}\n",
		"_private.go":      "package private\n",
		".hidden.go":       "package hidden\n",
		"readme.md":        "# not Go\n",
		"empty/readme.txt": "no Go here",
		"hello_test.go":    "package hello\n",
		"dyn.go":           "package dyn\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar v = \"1\" + \"2\"\n\nvar Plugin = tentacle.Definition{Name: \"Dyn\", Version: v}\n",
	})
	got := scan(t, dir)
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	want := []string{"Bad-Name", "broken", "dyn", "hello", "main", "mixed", "notes", "old_disabled", "perm", "two"}
	if d := cmp.Diff(want, sortStrings(ids)); d != "" {
		t.Fatalf("plugins found (-want +got):\n%s", d)
	}
	h := got["hello"]
	wantMeta := tier.Metadata{Name: "Hello", Version: "1.2.3", Description: "Says hello", Author: "Ada", URL: "https://example.invalid", License: "MIT", Compat: ">=1.0", Hidden: true}
	if d := cmp.Diff(wantMeta, h.Metadata); d != "" {
		t.Errorf("hello's metadata (-want +got):\n%s", d)
	}
	if h.Tier != tier.SourceTier || h.Origin != tier.OriginFolder || h.Bundled || h.Location != filepath.Join(dir, "hello.go") || h.Digest == "" || h.Load == nil || h.Remove == nil {
		t.Errorf("hello's candidate %+v", h)
	}
	two := got["two"]
	if two.Metadata.Name != "Two" || two.Location != filepath.Join(dir, "two") || len(two.Warnings) != 1 || !strings.Contains(two.Warnings[0], "two.go is ignored") {
		t.Errorf("two: name %q location %q warnings %q", two.Metadata.Name, two.Location, two.Warnings)
	}
	if !got["old_disabled"].Disabled {
		t.Error("a name ending in _disabled is not marked disabled")
	}
	if !got["notes"].NotAPlugin || got["notes"].Load != nil {
		t.Error("a package without Plugin is not 'not a plugin'")
	}
	for id, wantErr := range map[string]string{
		"broken":   "broken.go:3:",
		"mixed":    "package b, but the other files are package a",
		"main":     "not package main",
		"Bad-Name": "invalid identifier",
		"perm":     `unknown permission "network"`,
	} {
		if err := got[id].Invalid; err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: Invalid = %v, want %q", id, err, wantErr)
		}
	}
	if w := got["dyn"].Warnings; len(w) != 1 || !strings.Contains(w[0], "Version is not a constant string") {
		t.Errorf("dyn warnings %q", w)
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestScanMissingFolder(t *testing.T) {
	cands, err := source.New(filepath.Join(t.TempDir(), "none"), source.Options{}).Scan(context.Background())
	if err != nil || len(cands) != 0 {
		t.Errorf("Scan of a missing folder = %v, %v", cands, err)
	}
}

// The digest changes with the code, not with a scan.
func TestDigest(t *testing.T) {
	dir := plugins(t, map[string]string{"hello.go": hello})
	first := scan(t, dir)["hello"].Digest
	if again := scan(t, dir)["hello"].Digest; again != first {
		t.Error("the digest changed without a change")
	}
	write(t, filepath.Join(dir, "hello.go"), hello+"\n// changed\n")
	if changed := scan(t, dir)["hello"].Digest; changed == first {
		t.Error("the digest did not change with the code")
	}
}

func load(t *testing.T, dir, id string, env tier.Env) (tier.Instance, error) {
	t.Helper()
	c, ok := scan(t, dir)[id]
	if !ok {
		t.Fatalf("no plugin %q", id)
	}
	if c.Load == nil {
		t.Fatalf("%s cannot be loaded: %v", id, c.Invalid)
	}
	return c.Load(context.Background(), env)
}

func TestLoad(t *testing.T) {
	dir := plugins(t, map[string]string{"hello.go": hello})
	inst, err := load(t, dir, "hello", tier.Env{Mixins: mixinsOf(reflect.TypeFor[tentacle.Initializer](), reflect.TypeFor[tentacle.EnableListener]())})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if def := inst.Definition(); def.Name != "Hello" || def.Version != "1.2.3" {
		t.Errorf("definition %q %q", def.Name, def.Version)
	}
	v, ok := inst.As(reflect.TypeFor[tentacle.Initializer]())
	if !ok {
		t.Fatal("Initializer not detected")
	}
	if err := v.(tentacle.Initializer).Initialize(); err != nil {
		t.Error(err)
	}
	if _, ok := inst.As(reflect.TypeFor[tentacle.EnableListener]()); ok {
		t.Error("EnableListener detected on a type without the method")
	}
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{Identifier: "hello"})
	defer cancel()
	if ok, err := inst.Inject(c); !ok || err != nil {
		t.Errorf("Inject = %v, %v", ok, err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, src string
		env       tier.Env
		want      string
	}{
		{"type error", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc f() int { return \"x\" }\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:5:"},
		{"undefined", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Implementation: &Nope{}}\n", tier.Env{}, "p.go:5:"},
		{"unknown package", "package p\n\nimport (\n\t\"github.com/tentacle-go/tentacle\"\n\t\"example.com/nothere\"\n)\n\nvar _ = nothere.X\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "example.com/nothere"},
		{"os/exec without permission", "package p\n\nimport (\n\t\"os/exec\"\n\n\t\"github.com/tentacle-go/tentacle\"\n)\n\nvar _ = exec.Command\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, `p.go:4:2: imports os/exec, which runs programs, without permission: declare Permissions: []string{"os/exec"}`},
		{"permission not allowed", "package p\n\nimport (\n\t\"os/exec\"\n\n\t\"github.com/tentacle-go/tentacle\"\n)\n\nvar _ = exec.Command\n\nvar Plugin = tentacle.Definition{Permissions: []string{\"os/exec\"}}\n", tier.Env{}, "asks for os/exec, which the operator has not allowed"},
		{"range over int", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc f() {\n\tfor i := range 10 {\n\t\t_ = i\n\t}\n}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:6:2: range over an integer is not supported"},
		{"range over func", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc f() {\n\tfor x := range func(yield func(int) bool) {} {\n\t\t_ = x\n\t}\n}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "range over a function is not supported"},
		{"max builtin", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar n = max(1, 2)\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:5:9: the max builtin is not supported"},
		{"unnamed parameter", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype P struct{}\n\nfunc (p *P) On(string, int) {}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:7:16: On has an unnamed parameter"},
		{"unnamed parameter in a literal", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar f = func(string) {}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "a function literal has an unnamed parameter"},
		{"mixed assignment", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc g() int { return 1 }\n\nfunc f() {\n\tvar a, b int\n\ta, b = g(), 2\n\t_, _ = a, b\n}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:9:2: an assignment of several values"},
		{"mixed assignment with a builtin call", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc f(s []int) (int, int) {\n\tvar a, b int\n\ta, b = len(s), 2\n\treturn a, b\n}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "p.go:7:2: an assignment of several values"},
		{"embed", "package p\n\nimport (\n\t_ \"embed\"\n\n\t\"github.com/tentacle-go/tentacle\"\n)\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "go:embed is not supported"},
		{"panic in init", "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc init() {\n\tvar m map[string]int\n\tm[\"x\"] = 1\n}\n\nvar Plugin = tentacle.Definition{}\n", tier.Env{}, "nil map"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := plugins(t, map[string]string{"p.go": tc.src})
			inst, err := load(t, dir, "p", tc.env)
			if err == nil {
				inst.Close()
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "tentacleplugins") || strings.Contains(err.Error(), "zz_tentacle_glue") {
				t.Errorf("error %q shows the tier's rewriting", err)
			}
		})
	}
}

// With the permission declared and allowed, os/exec is there.
func TestPermissionAllowed(t *testing.T) {
	src := "package p\n\nimport (\n\t\"os/exec\"\n\n\t\"github.com/tentacle-go/tentacle\"\n)\n\nvar path, _ = exec.LookPath(\"sh\")\n\nvar Plugin = tentacle.Definition{Permissions: []string{\"os/exec\"}}\n"
	dir := plugins(t, map[string]string{"p.go": src})
	inst, err := load(t, dir, "p", tier.Env{AllowUnsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	inst.Close()
}

// A line spread over several lines in Implementation keeps every later
// position right.
func TestPositionsAfterRewrite(t *testing.T) {
	src := "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype P struct{ tentacle.Base }\n\nvar Plugin = tentacle.Definition{\n\tImplementation: &P{\n\n\t},\n}\n\nfunc f() int { return \"late\" }\n"
	dir := plugins(t, map[string]string{"p.go": src})
	_, err := load(t, dir, "p", tier.Env{})
	if err == nil || !strings.Contains(err.Error(), "p.go:13:") {
		t.Errorf("error %v, want it at p.go:13", err)
	}
}

// A package's own min or max is not the builtin.
func TestOwnMaxIsFine(t *testing.T) {
	src := "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc max(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n\nvar n = max(1, 2)\n\nvar Plugin = tentacle.Definition{}\n"
	dir := plugins(t, map[string]string{"p.go": src})
	inst, err := load(t, dir, "p", tier.Env{})
	if err != nil {
		t.Fatal(err)
	}
	inst.Close()
}

func newSource(dir string) tier.Origin { return source.New(dir, source.Options{}) }

// A file that stops parsing changes the digest (so a rescan notices it),
// and the plugin's base folder is the folder its file is in.
func TestDigestOfUnparsableFile(t *testing.T) {
	dir := plugins(t, map[string]string{"hello.go": hello})
	before := scan(t, dir)["hello"]
	if before.BaseFolder != dir {
		t.Errorf("BaseFolder = %q, want the plugins folder %q", before.BaseFolder, dir)
	}
	write(t, filepath.Join(dir, "hello.go"), "package hello\n\nvar Plugin = \n")
	after := scan(t, dir)["hello"]
	if after.Invalid == nil || after.Digest == "" || after.Digest == before.Digest {
		t.Errorf("unparsable file: invalid %v, digest %q (was %q)", after.Invalid, after.Digest, before.Digest)
	}
}

// What Load sets in a value Plugin variable reaches the host.
func TestLoadChangesTheDefinition(t *testing.T) {
	src := "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\nfunc greet(name string) string { return \"hi \" + name }\n\nvar Plugin = tentacle.Definition{\n\tName: \"P\",\n\tLoad: func() error {\n\t\tPlugin.Helpers = tentacle.Helpers{\"greet\": greet}\n\t\treturn nil\n\t},\n}\n"
	dir := plugins(t, map[string]string{"p.go": src})
	inst, err := load(t, dir, "p", tier.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	def := inst.Definition()
	if err := def.Load(); err != nil {
		t.Fatal(err)
	}
	if greet, ok := inst.Definition().Helpers["greet"].(func(string) string); !ok || greet("Ada") != "hi Ada" {
		t.Errorf("helpers after Load: %v", inst.Definition().Helpers)
	}
}

// An implementation with its own SetContext, without tentacle.Base, is
// injected.
func TestOwnSetContext(t *testing.T) {
	src := "package p\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype P struct{ c *tentacle.Context }\n\nfunc (p *P) SetContext(c *tentacle.Context) { p.c = c }\n\nfunc (p *P) Initialize() error {\n\tif p.c == nil || p.c.Identifier() != \"p\" {\n\t\tpanic(\"not injected\")\n\t}\n\treturn nil\n}\n\nvar Plugin = tentacle.Definition{Implementation: &P{}}\n"
	dir := plugins(t, map[string]string{"p.go": src})
	inst, err := load(t, dir, "p", tier.Env{Mixins: mixinsOf(reflect.TypeFor[tentacle.Initializer]())})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{Identifier: "p"})
	defer cancel()
	if ok, err := inst.Inject(c); !ok || err != nil {
		t.Fatalf("Inject = %v, %v", ok, err)
	}
	v, _ := inst.As(reflect.TypeFor[tentacle.Initializer]())
	if err := v.(tentacle.Initializer).Initialize(); err != nil {
		t.Error(err)
	}
}

// Links are followed: a linked plugin folder, and linked files in a plugin
// folder.
func TestLinks(t *testing.T) {
	elsewhere := plugins(t, map[string]string{
		"real/a.go": "package linked\n\nimport \"github.com/tentacle-go/tentacle\"\n\nvar Plugin = tentacle.Definition{Name: \"Linked\"}\n",
		"b.go":      "package linked\n\nfunc helper() {}\n",
	})
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(elsewhere, "real"), filepath.Join(dir, "linked")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "b.go"), filepath.Join(elsewhere, "real", "b.go")); err != nil {
		t.Fatal(err)
	}
	c, ok := scan(t, dir)["linked"]
	if !ok || c.Invalid != nil || c.Metadata.Name != "Linked" {
		t.Fatalf("linked plugin: found %v, %+v", ok, c)
	}
	before := c.Digest
	write(t, filepath.Join(elsewhere, "b.go"), "package linked\n\nfunc helper() { _ = 1 }\n")
	if scan(t, dir)["linked"].Digest == before {
		t.Error("the linked file is not part of the plugin")
	}
}

type recordingBus struct{ fired []string }

func (b *recordingBus) Fire(event string, payload map[string]any) { b.fired = append(b.fired, event) }

type recordingMessenger struct{ sent []any }

func (m *recordingMessenger) SendPluginMessage(data any) { m.sent = append(m.sent, data) }

// A source plugin passes itself to server.Bus and server.Messages, as a compiled
// one does: its embedded Base is found although the interpreted type does not
// show Base's methods.
func TestHostInjectablesFromItself(t *testing.T) {
	src := `package relay

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

type Relay struct{ tentacle.Base }

func (r *Relay) Initialize() error {
	server.Bus(r).Fire(server.PluginEvent("relay", "ready"), nil)
	server.Messages(r).SendPluginMessage("hi")
	return nil
}

var Plugin = tentacle.Definition{Implementation: &Relay{}}
`
	dir := plugins(t, map[string]string{"relay.go": src})
	inst, err := load(t, dir, "relay", tier.Env{Mixins: mixinsOf(reflect.TypeFor[tentacle.Initializer](), reflect.TypeFor[server.Startup]())})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	bus, msgs := &recordingBus{}, &recordingMessenger{}
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{
		Identifier: "relay",
		Injected:   map[string]any{server.InjectEventBus: bus, server.InjectMessages: msgs},
	})
	defer cancel()
	if ok, err := inst.Inject(c); !ok || err != nil {
		t.Fatalf("Inject = %v, %v", ok, err)
	}
	v, _ := inst.As(reflect.TypeFor[tentacle.Initializer]())
	if err := v.(tentacle.Initializer).Initialize(); err != nil {
		t.Fatal(err)
	}
	if len(bus.fired) != 1 || bus.fired[0] != "plugin_relay_ready" {
		t.Errorf("fired %v", bus.fired)
	}
	if len(msgs.sent) != 1 || msgs.sent[0] != "hi" {
		t.Errorf("sent %v", msgs.sent)
	}
}

// An Implementation set in init or Load is refused when the plugin is
// enabled (injection), rather than run without its mixins and context.
func TestImplementationOutsideLiteralRefused(t *testing.T) {
	tests := []struct{ name, src string }{
		{"load", "package late\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype L struct{ tentacle.Base }\n\nvar Plugin = tentacle.Definition{Load: func() error {\n\tPlugin.Implementation = &L{}\n\treturn nil\n}}\n"},
		{"init", "package late\n\nimport \"github.com/tentacle-go/tentacle\"\n\ntype L struct{ tentacle.Base }\n\nvar Plugin = &tentacle.Definition{}\n\nfunc init() { Plugin.Implementation = &L{} }\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := plugins(t, map[string]string{"late.go": tt.src})
			inst, err := load(t, dir, "late", tier.Env{})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			if load := inst.Definition().Load; load != nil {
				if err := load(); err != nil {
					t.Fatal(err)
				}
			}
			c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{Identifier: "late"})
			defer cancel()
			ok, err := inst.Inject(c)
			if ok || err == nil || !strings.Contains(err.Error(), "outside the Plugin literal") {
				t.Errorf("Inject = %v, %v; want the Implementation refused", ok, err)
			}
		})
	}
}

// Conversions among several assigned values are not calls for the
// interpreter: such a plugin loads, and computes the right values.
func TestMixedAssignmentWithConversions(t *testing.T) {
	src := `package conv

import "github.com/tentacle-go/tentacle"

type Celsius float64

type Conv struct{}

func (c *Conv) Initialize() error {
	n := 3
	var f float64
	var k Celsius
	var s string
	f, k, s = float64(n), Celsius(n), "x"
	if f != 3 || k != 3 || s != "x" {
		panic("values lost")
	}
	return nil
}

var Plugin = tentacle.Definition{Implementation: &Conv{}}
`
	dir := plugins(t, map[string]string{"conv.go": src})
	inst, err := load(t, dir, "conv", tier.Env{Mixins: mixinsOf(reflect.TypeFor[tentacle.Initializer]())})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	v, ok := inst.As(reflect.TypeFor[tentacle.Initializer]())
	if !ok {
		t.Fatal("Initializer not detected")
	}
	if err := v.(tentacle.Initializer).Initialize(); err != nil {
		t.Fatal(err)
	}
}

// mixinsOf returns the declarations of mixins of the given types.
func mixinsOf(types ...reflect.Type) []tentacle.Mixin {
	out := make([]tentacle.Mixin, len(types))
	for i, t := range types {
		out[i] = tentacle.Mixin{Type: t}
	}
	return out
}
