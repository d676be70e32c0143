package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/tier"
)

// LintOptions say what a host offers, for Lint to check a plugin against.
type LintOptions struct {
	// Mixins are the host's own mixins (those of package tentacle are
	// always detected), as the host's manager gets them.
	Mixins []tentacle.Mixin
	// Hooks is a registry with the host's declared hooks; handlers are
	// checked against it as at enable. Default: no declared hooks.
	Hooks *hooks.Registry
	// APIVersion the plugin's Compat is checked against; default
	// tentacle.APIVersion.
	APIVersion string
	// Symbols as for Options.
	Symbols []map[string]map[string]reflect.Value
}

// Problem is one thing wrong with a plugin.
type Problem struct {
	// Error problems keep the plugin from loading or enabling; others are
	// warnings.
	Error   bool   `json:"error"`
	Message string `json:"message"`
}

// Report is what Lint found.
type Report struct {
	ID       string    `json:"id"`
	Path     string    `json:"path"`
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Mixins   []string  `json:"mixins"`
	Hooks    []string  `json:"hooks"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the plugin would load and enable.
func (r Report) OK() bool {
	for _, p := range r.Problems {
		if p.Error {
			return false
		}
	}
	return true
}

// Lint loads the source plugin at path (a <id>.go file or an <id>/ folder)
// in a throw-away interpreter and reports everything wrong with it: files
// that do not parse or type-check, Go the interpreter cannot run, a missing
// or malformed Plugin definition, missing metadata, an unparsable Compat,
// every use of a package or symbol the allow-list holds back (allow.go)
// that its permissions do not grant, unknown hooks and handlers of the
// wrong type. Its init functions and Load run, as at a real load (unless
// it uses what the allow-list refuses it); nothing is enabled.
func Lint(ctx context.Context, path string, opts LintOptions) Report {
	abs, _ := filepath.Abs(path)
	r := Report{Path: abs, ID: strings.TrimSuffix(filepath.Base(abs), ".go"), Mixins: []string{}, Hooks: []string{}}
	errf := func(format string, args ...any) {
		r.Problems = append(r.Problems, Problem{Error: true, Message: fmt.Sprintf(format, args...)})
	}
	warnf := func(format string, args ...any) {
		r.Problems = append(r.Problems, Problem{Message: fmt.Sprintf(format, args...)})
	}

	fi, err := os.Stat(abs)
	if err != nil {
		errf("%v", err)
		return r
	}
	e := &entry{id: r.ID, location: abs}
	if fi.IsDir() {
		e.files = goFiles(abs)
		if len(e.files) == 0 {
			errf("%s: no Go files", abs)
			return r
		}
	} else {
		if !isGoFile(fi.Name()) {
			errf("%s: not a plugin file (want <id>.go)", abs)
			return r
		}
		e.files = []string{abs}
	}
	src := &source{dir: filepath.Dir(abs), opts: Options{Symbols: opts.Symbols}}
	c, parsed, _ := src.parse(e)
	for _, w := range c.Warnings {
		warnf("%s", w)
	}
	switch {
	case c.Invalid != nil:
		errf("%v", c.Invalid)
		return r
	case c.NotAPlugin:
		errf("%s: no plugin definition: declare var Plugin = tentacle.Definition{...}", abs)
		return r
	}
	md := c.Metadata
	r.Name, r.Version = md.Name, md.Version
	if md.Name == "" {
		warnf("no Name: the plugin is listed as %q", r.ID)
	}
	if md.Version == "" {
		warnf("no Version: the Plugin Manager and the blocklist cannot tell versions apart")
	} else if _, err := semver.NewVersion(md.Version); err != nil {
		warnf("Version %q is not semver: blocklist entries with version constraints cannot match it", md.Version)
	}
	if md.Compat != "" {
		apiVersion := opts.APIVersion
		if apiVersion == "" {
			apiVersion = tentacle.APIVersion
		}
		if cons, err := semver.NewConstraint(md.Compat); err != nil {
			errf("Compat %q is not a semver constraint: %v", md.Compat, err)
		} else if v, err := semver.NewVersion(apiVersion); err == nil && !cons.Check(v) {
			errf("Compat %q excludes this host's API version %s", md.Compat, apiVersion)
		}
	}
	if c.Disabled {
		warnf("the name ends in _disabled: the plugin is listed as disabled and never runs")
	}
	if len(md.Permissions) > 0 {
		warnf("asks for %s: it runs only where the operator allows it (plugins._allowUnsafe)", strings.Join(md.Permissions, ", "))
	}
	// Every use of what the allow-list holds back, each with its line (a
	// load stops at the first).
	host := src.hostExports()
	if refused := theSandbox().refusals(parsed, granted(md.Permissions), host.vars, host.names); len(refused) > 0 {
		for _, use := range refused {
			errf("%v", use)
		}
		return r
	}

	mixins := append(tentacle.Mixins(), opts.Mixins...)
	inst, err := c.Load(ctx, tier.Env{Mixins: mixins, AllowUnsafe: true})
	if err != nil {
		errf("%v", err)
		return r
	}
	defer inst.Close()
	def := inst.Definition()
	seen := make(map[reflect.Type]bool)
	for _, mx := range mixins {
		if _, ok := inst.As(mx.Type); ok && !seen[mx.Type] {
			seen[mx.Type] = true
			r.Mixins = append(r.Mixins, mx.Name())
		}
	}
	sort.Strings(r.Mixins)
	if def.Check != nil && !safeCheck(def.Check) {
		warnf("its Check returns false here: it would not load on this machine")
	}
	if def.Load != nil {
		if err := safeCall(def.Load); err != nil {
			errf("its Load fails: %v", err)
		}
	}
	if in, ok := inst.(*instance); ok && !in.literalImpl && def.Implementation != nil {
		errf("%v", errImplOutsideLiteral)
	}
	reg := opts.Hooks
	if reg == nil {
		reg = hooks.NewRegistry(hooks.Options{})
	}
	names := make([]string, 0, len(def.Hooks))
	for name := range def.Hooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r.Hooks = append(r.Hooks, name)
		if err := reg.Validate(name, hooks.Unwrap(def.Hooks[name])); err != nil {
			errf("%v", err)
		}
	}
	if def.Unload != nil {
		_ = safeCall(def.Unload)
	}
	return r
}

func safeCheck(fn func() bool) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fn()
}

func safeCall(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", unwrap(r))
		}
	}()
	return fn()
}
