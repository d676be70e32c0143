package source

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source/symbols"
)

// instance is a source plugin loaded in an interpreter of its own.
type instance struct {
	id     string
	mu     sync.Mutex
	interp *interp.Interpreter
	def    *tentacle.Definition
	as     map[reflect.Type]reflect.Value // mixin type -> generated func
	impl   any
	inject reflect.Value // the generated injection function
	out    *outputLog
	// literalImpl: the Plugin literal gives the Implementation (otherwise
	// mixins and injection cannot reach one set later).
	literalImpl bool
}

var _ tier.Instance = (*instance)(nil)

// load runs a plugin: a new interpreter with the standard library, the host
// API and what the plugin is allowed, the plugin's package imported (its
// init functions run), its Definition and mixin functions fetched once.
func load(ctx context.Context, id string, p *pkg, def *definition, env tier.Env, opts Options) (inst tier.Instance, err error) {
	if err := checkPermissions(def, env.AllowUnsafe); err != nil {
		return nil, err
	}
	if err := unsupported(p); err != nil {
		return nil, err
	}
	exports := []map[string]map[string]reflect.Value{stdlib.Symbols, symbols.Symbols}
	exports = append(exports, opts.Symbols...)
	available := func(pkgPath string) bool {
		for _, ex := range exports {
			for key := range ex {
				if strings.HasPrefix(key, pkgPath+"/") && !strings.Contains(key[len(pkgPath)+1:], "/") {
					return true
				}
			}
		}
		return false
	}
	fs, funcs := def.sources(p, id, env.Mixins, available)
	out := newOutputLog(env.Logger, p.files)
	i := interp.New(interp.Options{GoPath: ".", SourcecodeFilesystem: fs, Stdout: out, Stderr: out})
	for _, ex := range exports {
		if err := i.Use(ex); err != nil {
			return nil, fmt.Errorf("register host symbols: %w", err)
		}
	}
	for _, perm := range def.metadata.Permissions {
		var err error
		switch perm {
		case "unsafe":
			err = i.Use(unsafe.Symbols)
		case "syscall":
			err = i.Use(syscall.Symbols)
		case "os/exec":
			err = i.Use(unrestricted.Symbols)
		}
		if err != nil {
			return nil, fmt.Errorf("register %s: %w", perm, err)
		}
	}
	in := &instance{id: id, interp: i, as: make(map[reflect.Type]reflect.Value), out: out, literalImpl: def.impl != nil}
	if _, err := in.eval(ctx, fmt.Sprintf("import plugin %q", importPath(id))); err != nil {
		return nil, err
	}
	// The host keeps a pointer to the plugin's own variable, so that what
	// Load changes in it (Hooks, Helpers, ...) is seen.
	expr := "&plugin.Plugin"
	if def.pointer {
		expr = "plugin.Plugin"
	}
	v, err := in.eval(ctx, expr)
	if err != nil {
		return nil, err
	}
	switch d := v.Interface().(type) {
	case tentacle.Definition:
		in.def = &d
	case *tentacle.Definition:
		if d == nil {
			return nil, errors.New("Plugin is a nil *tentacle.Definition")
		}
		in.def = d
	default:
		return nil, fmt.Errorf("Plugin is a %T, not a tentacle.Definition", d)
	}
	for _, f := range funcs {
		fv, err := in.eval(ctx, "plugin."+f.name)
		if err != nil {
			return nil, fmt.Errorf("mixin detection for %s: %w", f.typ, err)
		}
		in.as[f.typ] = fv
	}
	if in.inject, err = in.eval(ctx, "plugin."+injFunc); err != nil {
		return nil, err
	}
	implFn, err := in.eval(ctx, "plugin."+implFunc)
	if err != nil {
		return nil, err
	}
	res, err := in.call(implFn)
	if err != nil {
		return nil, err
	}
	in.impl = res[0].Interface()
	return in, nil
}

// checkPermissions refuses a plugin that imports a restricted package it
// does not declare, or declares one the operator does not allow.
func checkPermissions(def *definition, allowed bool) error {
	declared := make(map[string]bool)
	for _, p := range def.metadata.Permissions {
		declared[p] = true
	}
	var undeclared []string
	for _, imp := range def.imports {
		if !declared[imp] {
			undeclared = append(undeclared, imp)
		}
	}
	if len(undeclared) > 0 {
		sort.Strings(undeclared)
		return fmt.Errorf("imports %s without permission: declare Permissions: []string{%q} in its Definition, and have the operator allow it (plugins._allowUnsafe)",
			strings.Join(undeclared, ", "), undeclared[0])
	}
	if len(def.metadata.Permissions) > 0 && !allowed {
		return fmt.Errorf("asks for %s, which the operator has not allowed (add it to plugins._allowUnsafe)", strings.Join(def.metadata.Permissions, ", "))
	}
	return nil
}

// eval evaluates src in the plugin's interpreter, turning the interpreter's
// own panics into errors. Errors keep the plugin's file:line.
func (in *instance) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("interpreter failed on %q: %v%s", src, unwrap(r), in.out.where())
		}
	}()
	v, err = in.interp.EvalWithContext(ctx, src)
	if err != nil {
		return v, cleanError(err)
	}
	return v, nil
}

// call calls an interpreted function value, turning a panic into an error.
func (in *instance) call(fn reflect.Value) (out []reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v%s", unwrap(r), in.out.where())
		}
	}()
	return fn.Call(nil), nil
}

// cleanError drops the interpreter's own prefix from an import error
// ("1:21: import \"...\" error: "), leaving the plugin's file:line: message.
func cleanError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, " error: "); i >= 0 && strings.HasPrefix(msg, "1:") && strings.Contains(msg[:i], "import ") {
		msg = msg[i+len(" error: "):]
	}
	return errors.New(msg)
}

func unwrap(r any) any {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return r
}

func (in *instance) Definition() *tentacle.Definition {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.def
}

// As calls the generated function of mixin t: the interpreter asserts the
// implementation and hands back a host-side value of t.
func (in *instance) As(t reflect.Type) (any, bool) {
	in.mu.Lock()
	fn, ok := in.as[t]
	in.mu.Unlock()
	if !ok {
		return nil, false
	}
	out, err := in.call(fn)
	if err != nil || out[0].IsNil() {
		return nil, false
	}
	return out[0].Interface(), true
}

// errImplOutsideLiteral refuses a plugin whose Implementation was set in
// init or Load: the interpreter has forgotten its type there, so the host
// could neither detect its mixins nor inject it, and would run it as a
// plugin that silently does nothing.
var errImplOutsideLiteral = errors.New("the Implementation is set outside the Plugin literal (in init or Load): the interpreter cannot see its mixins nor inject it; write Implementation: &T{} in the literal")

// Inject refuses an Implementation set outside the Plugin literal
// ([errImplOutsideLiteral]), then hands c to the implementation: through
// its own SetContext when it has one (asked inside the interpreter), else
// through its embedded tentacle.Base, found by reflection (promoted methods
// are not in an interpreted type's method set).
func (in *instance) Inject(c *tentacle.Context) (bool, error) {
	in.mu.Lock()
	impl, inject, def := in.impl, in.inject, in.def
	in.mu.Unlock()
	if !in.literalImpl && def != nil && def.Implementation != nil {
		return false, errImplOutsideLiteral
	}
	if inject.IsValid() {
		var out []reflect.Value
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("SetContext panicked: %v%s", unwrap(r), in.out.where())
				}
			}()
			out = inject.Call([]reflect.Value{reflect.ValueOf(c)})
			return nil
		}()
		if err != nil {
			return false, err
		}
		if out[0].Bool() {
			return true, nil
		}
	}
	return tier.InjectBase(impl, c)
}

// Close drops the interpreter and everything taken from it; the garbage
// collector reclaims it once the host holds none of its values.
func (in *instance) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.interp, in.def, in.as, in.impl, in.inject = nil, nil, nil, nil, reflect.Value{}
	return nil
}

// LastPanic returns where the plugin's latest panic happened (file:line),
// as the interpreter reported it, or "".
func (in *instance) LastPanic() string { return in.out.lastPanic() }
