package source

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"reflect"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/traefik/yaegi/interp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

// instance is a source plugin loaded in an interpreter of its own.
type instance struct {
	id     string
	mu     sync.Mutex
	interp *interp.Interpreter
	def    *tentacle.Definition
	as     map[reflect.Type]any // mixin type -> the implementation as that mixin, if it is one
	impl   any
	inject reflect.Value // the generated injection function
	out    *outputLog
	// literalImpl: the Plugin literal gives the Implementation (otherwise
	// mixins and injection cannot reach one set later).
	literalImpl bool
}

var _ tier.Instance = (*instance)(nil)

// load runs a plugin: its source checked against the allow-list
// (allow.go), then a new interpreter with the standard library as the
// allow-list and the plugin's permissions give it, the host API, the
// plugin's package imported (its init functions run), its Definition and
// mixin functions fetched once.
func load(ctx context.Context, s *source, id string, p *pkg, def *definition, env tier.Env) (inst tier.Instance, err error) {
	if len(def.metadata.Permissions) > 0 && !env.AllowUnsafe {
		return nil, fmt.Errorf("asks for %s, which the operator has not allowed (add it to plugins._allowUnsafe)", strings.Join(def.metadata.Permissions, ", "))
	}
	sb := theSandbox()
	g := granted(def.metadata.Permissions)
	host := s.hostExports()
	if err := firstRefusal(sb.refusals(p, g, host.vars, host.names)); err != nil {
		return nil, err
	}
	if err := unsupported(p); err != nil {
		return nil, err
	}
	available := func(pkgPath string) bool { return sb.available(pkgPath, g, host.idx) }
	glue, mixins := def.glue(p.name, possibleMixins(env.Mixins, def, p, sb.typeLookup(host.idx)), available)
	out := newOutputLog(env.Logger, p.files)
	fs := fstest.MapFS{}
	i := interp.New(interp.Options{GoPath: ".", SourcecodeFilesystem: fs, Stdout: out, Stderr: out})
	tree := def.tree(p, glue, i.FileSet()) // before anything else is added to the file set
	if tree == nil {
		def.sources(p, id, glue, fs)
	}
	need := pluginImports(p, mixins)
	if err := sb.use(i, g, host.idx, out, need, genericsFor(need, genericUses(p))); err != nil {
		return nil, err
	}
	in := &instance{id: id, interp: i, as: make(map[reflect.Type]any, len(mixins)), out: out, literalImpl: def.impl != nil}
	// One call of the glue function gives the rest (rewrite.go).
	var glueFn reflect.Value
	if tree != nil {
		if _, err := in.compile(ctx, tree); err != nil {
			return nil, explainGeneric(p, err)
		}
		// The package is known by its name; no source to parse.
		if glueFn, err = in.compile(ctx, &ast.SelectorExpr{X: ast.NewIdent(p.name), Sel: ast.NewIdent(glueFunc)}); err != nil {
			return nil, err
		}
	} else {
		if _, err := in.eval(ctx, fmt.Sprintf("import plugin %q", importPath(id))); err != nil {
			return nil, explainGeneric(p, err)
		}
		if glueFn, err = in.eval(ctx, "plugin."+glueFunc); err != nil {
			return nil, err
		}
	}
	res, err := in.call(glueFn)
	if err != nil {
		return nil, err
	}
	// The host keeps a pointer to the plugin's own variable, so that what
	// Load changes in it (Hooks, Helpers, ...) is seen.
	switch d := res[0].Interface().(type) {
	case *tentacle.Definition:
		if d == nil {
			return nil, errors.New("Plugin is a nil *tentacle.Definition")
		}
		in.def = d
	default:
		return nil, fmt.Errorf("Plugin is a %s, not a tentacle.Definition", pointee(d))
	}
	in.impl = res[1].Interface()
	if inj, ok := res[2].Interface().([]any); ok && len(inj) == 1 {
		in.inject = reflect.ValueOf(inj[0])
	}
	if in.inject.Kind() != reflect.Func {
		return nil, fmt.Errorf("the glue gave a %s, not the injection function", in.inject.Kind())
	}
	for k, t := range mixins {
		if v := res[3+k]; !v.IsNil() {
			in.as[t] = v.Interface()
		}
	}
	return in, nil
}

// pointee names the type of what the glue's &Plugin points to.
func pointee(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "nil"
	}
	if t.Kind() != reflect.Pointer {
		return t.String()
	}
	return t.Elem().String()
}

// firstRefusal returns the first of a plugin's refusals as its load
// error, saying how many more there are; nil if there are none.
func firstRefusal(rs []refusal) error {
	switch len(rs) {
	case 0:
		return nil
	case 1:
		return rs[0]
	}
	return fmt.Errorf("%w (and %d more: tentacle plugins lint lists them)", rs[0], len(rs)-1)
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

// compile compiles and runs n, the plugin's package given as one file
// (tree) or an expression, as eval does source.
func (in *instance) compile(ctx context.Context, n ast.Node) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v%s", unwrap(r), in.out.where()) // the interpreter's panics say where
		}
	}()
	prog, err := in.interp.CompileAST(n)
	if err == nil {
		v, err = in.interp.ExecuteWithContext(ctx, prog)
	}
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

// As returns the implementation as mixin t, a host-side value of t that
// the interpreter made when it asserted the implementation at load.
func (in *instance) As(t reflect.Type) (any, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	v, ok := in.as[t]
	return v, ok
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
