package hooks

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle"
)

// Registry holds the declared hooks and the handlers plugins registered for
// them. It is safe for concurrent use. Changes are serialised by a mutex;
// readers of snapshots ([Registry.Handlers], [Hook.Handlers]) take no lock.
type Registry struct {
	prefix         string
	restartNeeding []string
	onFault        func(plugin, hook string, recovered any)
	guard          func(plugin, hook string, handler any) any

	lookup sync.Map // hook name -> *hookState, for lock-free reads

	mu        sync.Mutex
	hooks     map[string]*hookState
	plugins   map[string]map[string]struct{} // plugin -> hook names it has handlers for
	overrides map[string]map[string]int      // plugin -> hook -> order
	holds     int
	pending   []*hookState // hooks changed while held, published at Release
}

// NewRegistry returns an empty registry.
func NewRegistry(opts Options) *Registry {
	prefix := opts.PluginPrefix
	if prefix == "" {
		prefix = DefaultPluginPrefix
	}
	return &Registry{
		prefix:         prefix,
		restartNeeding: slices.Clone(opts.RestartNeeding),
		onFault:        opts.OnFault,
		guard:          opts.Guard,
		hooks:          make(map[string]*hookState),
		plugins:        make(map[string]map[string]struct{}),
	}
}

// Declare declares the hook spec describes. It fails when the name is empty
// or invalid, when spec.Type is neither nil nor a func type, when the hook
// was declared before with a different type, or when handlers registered
// before the declaration (under the plugin prefix) do not fit spec.Type; on
// success those handlers are converted to it. Declaring a hook again with
// the same type updates RestartNeeding, Obsolete and Doc.
func (r *Registry) Declare(spec Spec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.declareLocked(spec)
	return err
}

func (r *Registry) declareLocked(spec Spec) (*hookState, error) {
	name := spec.Name
	if name == "" {
		return nil, fmt.Errorf("declare hook: empty name")
	}
	if !validName(name) {
		return nil, fmt.Errorf("declare hook %q: invalid name (want dot-separated segments of [A-Za-z0-9_-])", name)
	}
	if spec.Type != nil && spec.Type.Kind() != reflect.Func {
		return nil, fmt.Errorf("declare hook %q: type %v is not a func type", name, spec.Type)
	}
	if spec.Budget < 0 {
		return nil, fmt.Errorf("declare hook %q: negative budget %s", name, spec.Budget)
	}
	hs := r.hooks[name]
	if hs != nil && hs.declared {
		if hs.spec.Type != spec.Type {
			return nil, fmt.Errorf("declare hook %q: type %s differs from the declared %s",
				name, typeString(spec.Type), typeString(hs.spec.Type))
		}
		hs.spec = spec
		return hs, nil
	}
	if hs == nil {
		hs = r.stateLocked(name)
	}
	converted := false
	if spec.Type != nil && len(hs.index) > 0 {
		// Handlers registered undeclared under the plugin prefix: all must
		// fit before any is converted.
		hs.tidy()
		fns := make([]any, len(hs.entries))
		for i, e := range hs.entries {
			fn, err := fit(spec.Type, name, e.plugin, e.fn)
			if err != nil {
				return nil, fmt.Errorf("declare %w", err)
			}
			fns[i] = fn
		}
		for i, e := range hs.entries {
			e.fn, e.guarded = fns[i], nil
		}
		converted = true
	}
	hs.spec = spec
	hs.declared = true
	if converted {
		r.changedLocked(hs)
	}
	return hs, nil
}

// stateLocked returns the state of name, creating it.
func (r *Registry) stateLocked(name string) *hookState {
	hs := r.hooks[name]
	if hs == nil {
		hs = newHookState(name)
		r.hooks[name] = hs
		r.lookup.Store(name, hs)
	}
	return hs
}

// Spec returns the declaration of hook name.
func (r *Registry) Spec(name string) (Spec, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hs := r.hooks[name]; hs != nil && hs.declared {
		return hs.spec, true
	}
	return Spec{}, false
}

// Specs returns every declaration, sorted by name.
func (r *Registry) Specs() []Spec {
	r.mu.Lock()
	defer r.mu.Unlock()
	var specs []Spec
	for _, hs := range r.hooks {
		if hs.declared {
			specs = append(specs, hs.spec)
		}
	}
	slices.SortFunc(specs, func(a, b Spec) int { return strings.Compare(a.Name, b.Name) })
	return specs
}

// RestartNeeding reports whether a handler for hook name makes a plugin
// restart-needing: the hook's spec says so or its name matches one of
// [Options.RestartNeeding].
func (r *Registry) RestartNeeding(name string) bool {
	r.mu.Lock()
	hs := r.hooks[name]
	flagged := hs != nil && hs.declared && hs.spec.RestartNeeding
	r.mu.Unlock()
	return flagged || Match(name, r.restartNeeding...)
}

// Validate runs the checks of [Registry.Add] on a handler, except the one
// for a duplicate, without registering it.
func (r *Registry) Validate(name string, handler any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.checkLocked("", name, handler)
	return err
}

// checkLocked resolves hook name for plugin and fits handler to it.
func (r *Registry) checkLocked(plugin, name string, handler any) (any, error) {
	hs := r.hooks[name]
	if hs == nil || !hs.declared {
		if !strings.HasPrefix(name, r.prefix) || len(name) == len(r.prefix) {
			return nil, fmt.Errorf("hook %q: %w: %s: the hook is not declared and not under %q",
				name, ErrUnknownHook, who(plugin), r.prefix)
		}
		if !validName(name) {
			return nil, fmt.Errorf("hook %q: %w: %s: invalid name (want dot-separated segments of [A-Za-z0-9_-])",
				name, ErrUnknownHook, who(plugin))
		}
		return fit(nil, name, plugin, handler)
	}
	if hs.spec.Obsolete != "" {
		return nil, fmt.Errorf("hook %q: %w: %s: %s", name, ErrObsoleteHook, who(plugin), hs.spec.Obsolete)
	}
	return fit(hs.spec.Type, name, plugin, handler)
}

// Add registers plugin's handler for hook name with the given order, or
// [tentacle.DefaultOrder] when hasOrder is false. An order from
// [Registry.SetOrderOverrides] for (plugin, name) takes precedence. Add
// fails, changing nothing, when the hook is unknown (neither declared nor
// under the plugin prefix) or obsolete, when the handler is nil, not a func
// or does not fit the declared type, or when plugin already has a handler
// for the hook. A handler whose type differs from the declared one only by
// being named or unnamed is converted.
func (r *Registry) Add(plugin, name string, handler any, order int, hasOrder bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if plugin == "" {
		return fmt.Errorf("hook %q: empty plugin identifier", name)
	}
	fn, err := r.checkLocked(plugin, name, handler)
	if err != nil {
		return err
	}
	if _, dup := r.plugins[plugin][name]; dup {
		return fmt.Errorf("hook %q: %w: plugin %q already has a handler for it", name, ErrDuplicateHandler, plugin)
	}
	if !hasOrder {
		order = tentacle.DefaultOrder
	}
	e := &entry{plugin: plugin, declared: order, hasOrder: hasOrder, fn: fn}
	r.effectiveLocked(e, name)
	hs := r.stateLocked(name)
	hs.insert(e, r.holds > 0)
	names := r.plugins[plugin]
	if names == nil {
		names = make(map[string]struct{})
		r.plugins[plugin] = names
	}
	names[name] = struct{}{}
	r.changedLocked(hs)
	return nil
}

// effectiveLocked sets e's effective order and its source.
func (r *Registry) effectiveLocked(e *entry, name string) {
	if o, ok := r.overrides[e.plugin][name]; ok {
		e.order, e.source = o, OrderConfig
	} else if e.hasOrder {
		e.order, e.source = e.declared, OrderPlugin
	} else {
		e.order, e.source = tentacle.DefaultOrder, OrderDefault
	}
}

// Remove removes plugin's handler for hook name, reporting whether there
// was one.
func (r *Registry) Remove(plugin, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.removeLocked(plugin, name)
}

func (r *Registry) removeLocked(plugin, name string) bool {
	hs := r.hooks[name]
	if hs == nil || !hs.remove(plugin, r.holds > 0) {
		return false
	}
	if names := r.plugins[plugin]; names != nil {
		delete(names, name)
		if len(names) == 0 {
			delete(r.plugins, plugin)
		}
	}
	r.changedLocked(hs)
	return true
}

// RemovePlugin removes all of plugin's handlers and returns how many there
// were.
func (r *Registry) RemovePlugin(plugin string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, name := range slices.Sorted(maps.Keys(r.plugins[plugin])) {
		if r.removeLocked(plugin, name) {
			n++
		}
	}
	return n
}

// SetOrderOverrides replaces the configured order overrides (plugin ->
// hook -> order, the config's plugins._sortingOrder) and re-sorts every
// hook.
func (r *Registry) SetOrderOverrides(o map[string]map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overrides = make(map[string]map[string]int, len(o))
	for plugin, m := range o {
		if len(m) > 0 {
			r.overrides[plugin] = maps.Clone(m)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.hooks)) {
		hs := r.hooks[name]
		for _, e := range hs.entries {
			if !e.dead {
				r.effectiveLocked(e, name)
			}
		}
		hs.unsorted = true
		r.changedLocked(hs)
	}
}

// changedLocked publishes hs after a change: at once, or, while the
// registry is held, the untyped view on demand and the typed one at Release.
func (r *Registry) changedLocked(hs *hookState) {
	if r.holds == 0 {
		r.publishLocked(hs)
		return
	}
	hs.untyped.Store(nil) // stale: Handlers rebuilds it on demand
	if !hs.pending {
		hs.pending = true
		r.pending = append(r.pending, hs)
	}
}

// publishLocked tidies hs and publishes both of its views.
func (r *Registry) publishLocked(hs *hookState) {
	hs.tidy()
	hs.buildUntyped(r.guard)
	if hs.typed != nil {
		hs.typed.publish(hs.entries)
	}
	hs.pending = false
}

// Hold defers publishing typed snapshots ([Hook.Handlers]) until the
// matching [Registry.Release], so that adding or removing the handlers of
// many plugins costs O(n log n) rather than a copy per change. Holds nest.
// [Registry.Handlers] still reflects every change at once.
func (r *Registry) Hold() {
	r.mu.Lock()
	r.holds++
	r.mu.Unlock()
}

// Release ends a [Registry.Hold]; the last one publishes every hook that
// changed meanwhile. A Release without a Hold does nothing.
func (r *Registry) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.holds == 0 {
		return
	}
	r.holds--
	if r.holds > 0 {
		return
	}
	for _, hs := range r.pending {
		r.publishLocked(hs)
	}
	clear(r.pending)
	r.pending = r.pending[:0]
}

// Handlers returns the handlers of hook name in call order, sorted by
// (order, plugin), or nil when it has none, each wrapped by
// [Options.Guard] when the registry has one. The slice is a shared
// snapshot: do not modify it. It always reflects the latest change, also
// while the registry is held.
func (r *Registry) Handlers(name string) []tentacle.HookEntry {
	v, ok := r.lookup.Load(name)
	if !ok {
		return nil
	}
	hs := v.(*hookState)
	if snap := hs.untyped.Load(); snap != nil {
		return snap.list
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if snap := hs.untyped.Load(); snap != nil {
		return snap.list
	}
	hs.tidy()
	return hs.buildUntyped(r.guard).list
}

// Names returns the names of the hooks that are declared or have handlers,
// sorted.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for name, hs := range r.hooks {
		if hs.live() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// PluginHooks returns the names of the hooks plugin has handlers for,
// sorted.
func (r *Registry) PluginHooks(plugin string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.plugins[plugin]) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(r.plugins[plugin]))
}
