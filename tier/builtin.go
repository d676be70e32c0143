package tier

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/tentacle-go/tentacle"
)

// builtinOrigin is a [Origin] of compiled-in plugins.
type builtinOrigin struct {
	name    string
	bundled bool
	defs    func() map[string]*tentacle.Definition
}

// Bundled returns the source of the plugins registered with
// [tentacle.Register]: the host's bundled plugins.
func Bundled() Origin {
	return &builtinOrigin{name: OriginBundled, bundled: true, defs: func() map[string]*tentacle.Definition {
		ids := tentacle.Registered()
		defs := make(map[string]*tentacle.Definition, len(ids))
		for _, id := range ids {
			defs[id], _ = tentacle.Registration(id)
		}
		return defs
	}}
}

// Definitions returns a source of compiled-in plugins from a map of
// definitions, for hosts and tests that keep their own registry. Bundled says
// whether they count as bundled.
func Definitions(name string, bundled bool, defs map[string]*tentacle.Definition) Origin {
	return &builtinOrigin{name: name, bundled: bundled, defs: func() map[string]*tentacle.Definition { return defs }}
}

func (s *builtinOrigin) Name() string { return s.name }

func (s *builtinOrigin) Scan(context.Context) ([]Candidate, error) {
	defs := s.defs()
	ids := make([]string, 0, len(defs))
	for id := range defs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]Candidate, 0, len(ids))
	for _, id := range ids {
		def := defs[id]
		c := Candidate{
			ID:      id,
			Origin:  OriginBundled,
			Tier:    BuiltinTier,
			Bundled: s.bundled,
		}
		if def != nil {
			c.Metadata = MetadataOf(def)
			c.Declares = sync.OnceValue(func() *Declaration { return DeclarationOf(def) })
		}
		if !s.bundled {
			c.Origin = s.name
		}
		switch {
		case !tentacle.ValidIdentifier(id):
			c.Invalid = fmt.Errorf("invalid identifier %q (want [a-z0-9_]+)", id)
		case def == nil:
			c.NotAPlugin = true
		default:
			c.Load = func(context.Context, Env) (Instance, error) { return NewBuiltin(def), nil }
		}
		out = append(out, c)
	}
	return out, nil
}

// DeclarationOf returns what a compiled-in definition declares, read from
// the definition itself without calling any of its functions: the keys of
// its Hooks, the exported methods of its Implementation's type (its method
// set, promoted methods included, as a type assertion sees it) and whether
// its SettingsOverlay is non-empty. A definition with a Check or Load
// function may still change these before the manager reads them (Load may
// set Hooks, for one), so each part is then listed as found but not
// known to be complete.
func DeclarationOf(def *tentacle.Definition) *Declaration {
	known := def.Check == nil && def.Load == nil
	d := &Declaration{
		Hooks:                make([]string, 0, len(def.Hooks)),
		HooksKnown:           known,
		MethodsKnown:         known,
		SettingsOverlay:      len(def.SettingsOverlay) > 0,
		SettingsOverlayKnown: known,
	}
	for name := range def.Hooks {
		d.Hooks = append(d.Hooks, name)
	}
	sort.Strings(d.Hooks)
	if t := reflect.TypeOf(def.Implementation); t != nil {
		for i := 0; i < t.NumMethod(); i++ {
			d.Methods = append(d.Methods, t.Method(i).Name)
		}
	}
	return d
}

// NewBuiltin returns the Instance of a compiled-in plugin: direct calls,
// mixins detected by type assertion.
func NewBuiltin(def *tentacle.Definition) Instance { return &builtinInstance{def: def} }

type builtinInstance struct{ def *tentacle.Definition }

func (b *builtinInstance) Definition() *tentacle.Definition { return b.def }

func (b *builtinInstance) As(t reflect.Type) (any, bool) {
	impl := b.def.Implementation
	if impl == nil || t.Kind() != reflect.Interface || !reflect.TypeOf(impl).Implements(t) {
		return nil, false
	}
	return impl, true
}

func (b *builtinInstance) Inject(c *tentacle.Context) (bool, error) {
	return InjectBase(b.def.Implementation, c)
}

func (b *builtinInstance) Close() error { return nil }

// InjectBase hands c to impl: through [tentacle.Injectable] when impl
// implements it, else through an embedded [tentacle.Base] found by
// [FindBase], which is how values whose method sets do not show promoted
// methods (interpreted ones) are reached. It reports whether c was injected,
// and an error when the implementation refused it (a nil embedded
// *tentacle.Base, or a struct value whose Base cannot be addressed).
func InjectBase(impl any, c *tentacle.Context) (injected bool, err error) {
	if impl == nil {
		return false, nil
	}
	if inj, ok := impl.(tentacle.Injectable); ok {
		defer func() {
			if r := recover(); r != nil {
				injected, err = false, fmt.Errorf("SetContext panicked (is an embedded *tentacle.Base nil?): %v", r)
			}
		}()
		inj.SetContext(c)
		return true, nil
	}
	b, err := FindBase(impl)
	if b == nil || err != nil {
		return false, err
	}
	b.SetContext(c)
	return true, nil
}

// FindBase returns the [tentacle.Base] that impl embeds: see
// [tentacle.BaseOf].
func FindBase(impl any) (*tentacle.Base, error) { return tentacle.BaseOf(impl) }
