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
	aliases   map[string]string              // alias -> hook name
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
		aliases:        make(map[string]string),
		plugins:        make(map[string]map[string]struct{}),
	}
}

// Declare declares the hook spec describes. It fails when the name is empty
// or invalid, when spec.Type is neither nil nor a func type, when the hook
// was declared before with a different type or filter type, when the name
// is another hook's alias, when an alias is invalid, another hook's name or
// alias, or a name handlers were registered under, or when handlers
// registered before the declaration (under the plugin prefix) do not fit
// spec.Type; on success those handlers are converted to it. Declaring a
// hook again with the same type and filter type updates the rest of the
// spec, its aliases included.
func (r *Registry) Declare(spec Spec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.declareLocked(spec)
	return err
}

// DeclareAll declares each of specs, as [Registry.Declare] does, and stops
// at the first error. A host declares its table of hooks with it; a
// component that calls one of them declares it again typed, with [Declare]
// and the same spec.
func (r *Registry) DeclareAll(specs []Spec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, spec := range specs {
		if _, err := r.declareLocked(spec); err != nil {
			return err
		}
	}
	return nil
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
	if other, ok := r.aliases[name]; ok {
		return nil, fmt.Errorf("declare hook %q: the name is an alias of hook %q", name, other)
	}
	aliases, err := r.checkAliasesLocked(spec)
	if err != nil {
		return nil, err
	}
	spec.Aliases = aliases
	hs := r.hooks[name]
	if hs != nil && hs.declared {
		if hs.spec.Type != spec.Type {
			return nil, fmt.Errorf("declare hook %q: type %s differs from the declared %s",
				name, typeString(spec.Type), typeString(hs.spec.Type))
		}
		if hs.spec.Filter != spec.Filter {
			return nil, fmt.Errorf("declare hook %q: filter type %s differs from the declared %s",
				name, filterString(spec.Filter), filterString(hs.spec.Filter))
		}
		r.setAliasesLocked(hs, aliases)
		hs.spec = spec
		r.reorderLocked(hs)
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
	r.setAliasesLocked(hs, aliases)
	hs.spec = spec
	hs.declared = true
	if converted {
		r.changedLocked(hs)
	}
	r.reorderLocked(hs)
	return hs, nil
}

// checkAliasesLocked checks spec's aliases and returns them without
// duplicates and without the hook's own name.
func (r *Registry) checkAliasesLocked(spec Spec) ([]string, error) {
	var out []string
	for _, a := range spec.Aliases {
		if a == spec.Name || slices.Contains(out, a) {
			continue
		}
		if !validName(a) {
			return nil, fmt.Errorf("declare hook %q: invalid alias %q (want dot-separated segments of [A-Za-z0-9_-])", spec.Name, a)
		}
		if other, ok := r.aliases[a]; ok && other != spec.Name {
			return nil, fmt.Errorf("declare hook %q: alias %q is already an alias of hook %q", spec.Name, a, other)
		}
		if hs := r.hooks[a]; hs != nil && hs.declared {
			return nil, fmt.Errorf("declare hook %q: alias %q is the name of another hook", spec.Name, a)
		} else if hs != nil && len(hs.index) > 0 {
			return nil, fmt.Errorf("declare hook %q: alias %q already has handlers of its own", spec.Name, a)
		}
		out = append(out, a)
	}
	return out, nil
}

// setAliasesLocked makes aliases (checked) the aliases of hs, dropping
// the ones it had before.
func (r *Registry) setAliasesLocked(hs *hookState, aliases []string) {
	for _, a := range hs.spec.Aliases {
		if !slices.Contains(aliases, a) {
			delete(r.aliases, a)
			r.lookup.Delete(a)
		}
	}
	for _, a := range aliases {
		r.aliases[a] = hs.name
		// A state left under the alias by handlers since removed.
		delete(r.hooks, a)
		r.lookup.Store(a, hs)
	}
}

// reorderLocked recomputes the effective orders of hs's handlers, after
// a change to the order overrides or to the hook's aliases (an override may
// name the hook by an alias).
func (r *Registry) reorderLocked(hs *hookState) {
	changed := false
	for _, e := range hs.entries {
		if e.dead {
			continue
		}
		before := e.order
		r.effectiveLocked(e, hs)
		changed = changed || e.order != before
	}
	if changed {
		hs.unsorted = true
		r.changedLocked(hs)
	}
}

// canonical returns the name of the hook name is an alias of, or name.
func (r *Registry) canonical(name string) string {
	if c, ok := r.aliases[name]; ok {
		return c
	}
	return name
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

// Spec returns the declaration of hook name, which may be one of its
// aliases.
func (r *Registry) Spec(name string) (Spec, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hs := r.hooks[r.canonical(name)]; hs != nil && hs.declared {
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

// RestartNeeding reports whether a handler for hook name (or one of its
// aliases) makes a plugin restart-needing: the hook's spec says so or its
// name or one of its aliases matches one of [Options.RestartNeeding].
func (r *Registry) RestartNeeding(name string) bool {
	r.mu.Lock()
	name = r.canonical(name)
	hs := r.hooks[name]
	flagged := hs != nil && hs.declared && hs.spec.RestartNeeding
	var aliases []string
	if hs != nil && hs.declared {
		aliases = hs.spec.Aliases
	}
	r.mu.Unlock()
	return flagged || Match(name, r.restartNeeding...) ||
		slices.ContainsFunc(aliases, func(a string) bool { return Match(a, r.restartNeeding...) })
}

// Validate runs the checks of [Registry.Add] on a handler, except the one
// for a duplicate, without registering it.
func (r *Registry) Validate(name string, h Registration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _, err := r.checkLocked("", name, h)
	return err
}

// checkLocked resolves hook name (the hook's name or an alias) for plugin
// and fits handler and filter to it.
func (r *Registry) checkLocked(plugin, name string, h Registration) (fn, filter any, err error) {
	fn, err = r.fitLocked(plugin, name, h.Func)
	if err != nil {
		return nil, nil, err
	}
	filter, err = r.filterLocked(plugin, name, h.Filter)
	if err != nil {
		return nil, nil, err
	}
	return fn, filter, nil
}

// filterLocked checks filter against the filter type of hook name and
// returns it as a value of that type (nil for none).
func (r *Registry) filterLocked(plugin, name string, filter any) (any, error) {
	if filter == nil {
		return nil, nil
	}
	t := reflect.TypeOf(filter)
	v := reflect.ValueOf(filter)
	if t.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil // a nil pointer is no filter
	}
	hs := r.hooks[r.canonical(name)]
	if hs == nil || !hs.declared || hs.spec.Filter == nil {
		return nil, fmt.Errorf("hook %q: %w: %s has a filter of type %v, but the hook takes no filters",
			name, ErrWrongFilter, who(plugin), t)
	}
	want := hs.spec.Filter
	switch {
	case t == want:
		return filter, nil
	case t.Kind() == reflect.Pointer && t.Elem() == want:
		return v.Elem().Interface(), nil
	}
	return nil, fmt.Errorf("hook %q: %w: %s has a filter of type %v, want %v", name, ErrWrongFilter, who(plugin), t, want)
}

// fitLocked resolves hook name for plugin and fits handler to it.
func (r *Registry) fitLocked(plugin, name string, handler any) (any, error) {
	hs := r.hooks[r.canonical(name)]
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

// Add registers plugin's handler h for hook name, which may be one of the
// hook's aliases: the handler is registered under the hook's name. It runs
// at h.Order, or [tentacle.DefaultOrder] when h.HasOrder is false; an order
// from [Registry.SetOrderOverrides] for the plugin and the hook (by its
// name or an alias) takes precedence. Add fails, changing nothing, when the
// hook is unknown (neither declared nor under the plugin prefix) or
// obsolete, when the handler is nil, not a func or does not fit the
// declared type, when the handler has a filter and the hook declares no
// [Spec.Filter] or one of another type ([ErrWrongFilter]), or when plugin
// already has a handler for the hook. A handler whose type differs from the
// declared one only by being named or unnamed is converted; a filter given
// as a pointer is stored as the value it points to.
func (r *Registry) Add(plugin, name string, h Registration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if plugin == "" {
		return fmt.Errorf("hook %q: empty plugin identifier", name)
	}
	fn, filter, err := r.checkLocked(plugin, name, h)
	if err != nil {
		return err
	}
	alias := name
	name = r.canonical(name)
	if _, dup := r.plugins[plugin][name]; dup {
		if alias != name {
			return fmt.Errorf("hook %q (alias of %q): %w: plugin %q already has a handler for it", alias, name, ErrDuplicateHandler, plugin)
		}
		return fmt.Errorf("hook %q: %w: plugin %q already has a handler for it", name, ErrDuplicateHandler, plugin)
	}
	order := h.Order
	if !h.HasOrder {
		order = tentacle.DefaultOrder
	}
	hs := r.stateLocked(name)
	e := &entry{plugin: plugin, declared: order, hasOrder: h.HasOrder, fn: fn, filter: filter, stats: hs.statsFor(plugin, h.Timed, h.Tier)}
	r.effectiveLocked(e, hs)
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

// effectiveLocked sets e's effective order and its source. An override
// under the hook's name wins over one under an alias.
func (r *Registry) effectiveLocked(e *entry, hs *hookState) {
	e.configKey = ""
	if o, ok := r.overrides[e.plugin][hs.name]; ok {
		e.order, e.source, e.configKey = o, OrderConfig, hs.name
		return
	}
	if hs.declared {
		for _, a := range hs.spec.Aliases {
			if o, ok := r.overrides[e.plugin][a]; ok {
				e.order, e.source, e.configKey = o, OrderConfig, a
				return
			}
		}
	}
	if e.hasOrder {
		e.order, e.source = e.declared, OrderPlugin
	} else {
		e.order, e.source = tentacle.DefaultOrder, OrderDefault
	}
}

// Remove removes plugin's handler for hook name (or the hook name is an
// alias of), reporting whether there was one.
func (r *Registry) Remove(plugin, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.removeLocked(plugin, r.canonical(name))
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
// hook -> order, the config's plugins._sortingOrder; a hook by its name or
// one of its aliases) and re-sorts every hook.
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
				r.effectiveLocked(e, hs)
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

// publishLocked tidies hs and publishes its views. A hook declared with a
// type has its typed snapshot built at once, which is its hot path, and its
// untyped view ([Registry.Handlers]: listings, plugins reading a hook's
// handlers) on demand, by the first call after the change: an enable or a
// disable builds one snapshot of the hook's handlers, not two. An untyped
// hook's view is built at once.
func (r *Registry) publishLocked(hs *hookState) {
	hs.tidy()
	if hs.typed != nil {
		hs.untyped.Store(nil) // stale: Handlers rebuilds it on demand
		hs.typed.publish(hs.entries)
	} else {
		hs.buildUntyped(r.guard)
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

// Handlers returns the handlers of hook name (or the hook name is an alias
// of) in call order, sorted by
// (order, plugin), or nil when it has none, each wrapped by
// [Options.Guard] when the registry has one. The slice is a shared
// snapshot: do not modify it. It always reflects the latest change, also
// while the registry is held; for a hook declared with a type, the first
// call after a change builds it (the hot path is [Hook.Handlers]).
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
// sorted; not their aliases.
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
// sorted: a handler registered under an alias is listed under the hook's
// name.
func (r *Registry) PluginHooks(plugin string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.plugins[plugin]) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(r.plugins[plugin]))
}
