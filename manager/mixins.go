package manager

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

var (
	typeInitializer       = reflect.TypeFor[tentacle.Initializer]()
	typeEnableListener    = reflect.TypeFor[tentacle.EnableListener]()
	typeDisableListener   = reflect.TypeFor[tentacle.DisableListener]()
	typeUninstallListener = reflect.TypeFor[tentacle.UninstallListener]()
	typeSortable          = reflect.TypeFor[tentacle.Sortable]()
	typeRestartNeeding    = reflect.TypeFor[tentacle.RestartNeeding]()
	typeReloadNeeding     = reflect.TypeFor[tentacle.ReloadNeeding]()
	typeSettingsPlugin    = reflect.TypeFor[tentacle.SettingsPlugin]()
	typeSettingsMigrator  = reflect.TypeFor[tentacle.SettingsMigrator]()
)

// Mixins returns every mixin the manager detects: those of package
// tentacle, then the host's own ([Options.Mixins]).
func (m *Manager) Mixins() []tentacle.Mixin { return append([]tentacle.Mixin(nil), m.mixins...) }

// Plugin is a host's handle on one plugin, handed to [Activator]s.
type Plugin struct {
	r *record
	m *Manager
}

// ID returns the plugin's identifier.
func (p Plugin) ID() string { return p.r.id }

// Info returns the plugin's metadata.
func (p Plugin) Info() tentacle.PluginInfo { return p.r.info() }

// Bundled reports whether the plugin is bundled.
func (p Plugin) Bundled() bool { return p.r.cand.Bundled }

// As returns the plugin's implementation as mixin interface t, if it
// implements it. t must be one of the manager's mixins.
func (p Plugin) As(t reflect.Type) (any, bool) {
	p.m.mu.RLock()
	defer p.m.mu.RUnlock()
	v, ok := p.r.mixins[t]
	return v, ok
}

// Context returns the context injected on the current enable, or nil.
func (p Plugin) Context() *tentacle.Context {
	p.m.mu.RLock()
	defer p.m.mu.RUnlock()
	return p.r.enabled.ctx
}

// Plugin returns a handle on plugin id.
func (m *Manager) Plugin(id string) (Plugin, bool) {
	r := m.get(id)
	if r == nil {
		return Plugin{}, false
	}
	return Plugin{r: r, m: m}, true
}

// As returns p's implementation as mixin T.
func As[T any](p Plugin) (T, bool) {
	v, _ := p.As(reflect.TypeFor[T]())
	t, ok := v.(T)
	return t, ok
}

// Activator is a host's own enable step: it runs last when a plugin is
// enabled (after OnPluginEnabled) and is undone first when it is disabled.
// Hosts use activators to mount HTTP routes, deliver startup callbacks to
// plugins enabled at runtime, and the like. An error from Activate rolls the
// enable back; its phase is the activator's name.
type Activator interface {
	Name() string
	Activate(p Plugin) error
	Deactivate(p Plugin)
}

// AddActivator appends an activator. Add activators before Start: plugins
// already enabled do not see a late one until their next enable.
func (m *Manager) AddActivator(a Activator) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.activators = append(m.activators, a)
}

// Implementation is one enabled plugin's implementation of a mixin.
type Implementation struct {
	Plugin  string
	Bundled bool
	Value   any
}

// implIndex keeps, per mixin type, the sorted implementations of the enabled
// plugins, rebuilt lazily after a change.
type implIndex struct {
	mu    sync.Mutex
	by    map[reflect.Type]map[string]implEntry
	snaps map[reflect.Type]*atomic.Pointer[[]Implementation]
}

type implEntry struct {
	value   any
	bundled bool
}

func (x *implIndex) init() {
	x.by = make(map[reflect.Type]map[string]implEntry)
	x.snaps = make(map[reflect.Type]*atomic.Pointer[[]Implementation])
}

func (x *implIndex) add(id string, bundled bool, mixins map[reflect.Type]any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for t, v := range mixins {
		if x.by[t] == nil {
			x.by[t] = make(map[string]implEntry)
		}
		x.by[t][id] = implEntry{value: v, bundled: bundled}
		x.snap(t).Store(nil)
	}
}

func (x *implIndex) remove(id string, mixins map[reflect.Type]any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for t := range mixins {
		delete(x.by[t], id)
		x.snap(t).Store(nil)
	}
}

// snap returns the snapshot slot of t; x.mu must be held.
func (x *implIndex) snap(t reflect.Type) *atomic.Pointer[[]Implementation] {
	p := x.snaps[t]
	if p == nil {
		p = new(atomic.Pointer[[]Implementation])
		x.snaps[t] = p
	}
	return p
}

// list returns the implementations of t sorted by (not bundled, identifier).
func (x *implIndex) list(t reflect.Type) []Implementation {
	x.mu.Lock()
	p := x.snap(t)
	if s := p.Load(); s != nil {
		x.mu.Unlock()
		return *s
	}
	defer x.mu.Unlock()
	out := make([]Implementation, 0, len(x.by[t]))
	for id, e := range x.by[t] {
		out = append(out, Implementation{Plugin: id, Bundled: e.bundled, Value: e.value})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bundled != out[j].Bundled {
			return out[i].Bundled
		}
		return out[i].Plugin < out[j].Plugin
	})
	p.Store(&out)
	return out
}

// Implementations returns the enabled plugins' implementations of mixin t,
// in OctoPrint's order: by (sorting key, not bundled, identifier). The
// sorting key is the plugin's [tentacle.Sortable] key for sortingContext,
// replaced by plugins._sortingOrder.<id>.<sortingContext> from the
// configuration when set, and [tentacle.DefaultOrder] otherwise (always, for
// an empty context). The result is shared when sortingContext is empty: do
// not modify it.
func (m *Manager) Implementations(t reflect.Type, sortingContext string) []Implementation {
	base := m.impls.list(t)
	if sortingContext == "" || len(base) < 2 {
		return base
	}
	orders, _ := m.settings.Get("plugins._sortingOrder").(map[string]any)
	keys := make(map[string]int, len(base))
	for _, impl := range base {
		keys[impl.Plugin] = m.sortingKey(orders, impl.Plugin, sortingContext)
	}
	out := append([]Implementation(nil), base...)
	sort.SliceStable(out, func(i, j int) bool { return keys[out[i].Plugin] < keys[out[j].Plugin] })
	return out
}

// sortingKey returns a plugin's sorting key in a context; orders is
// plugins._sortingOrder.
func (m *Manager) sortingKey(orders map[string]any, id, sortingContext string) int {
	if v, ok := orderIn(orders, id, sortingContext); ok {
		return v
	}
	r := m.get(id)
	if r == nil {
		return tentacle.DefaultOrder
	}
	m.mu.RLock()
	s, ok := r.mixins[typeSortable].(tentacle.Sortable)
	m.mu.RUnlock()
	if !ok {
		return tentacle.DefaultOrder
	}
	key, has := tentacle.DefaultOrder, false
	if err := guard(func() error { key, has = s.SortingKey(sortingContext); return nil }); err != nil {
		m.fault(id, PhaseCall, "SortingKey", err)
		return tentacle.DefaultOrder
	}
	if !has {
		return tentacle.DefaultOrder
	}
	return key
}

// orderIn reads <id>.<key> of plugins._sortingOrder: a whole number.
func orderIn(orders map[string]any, id, key string) (int, bool) {
	pm, _ := orders[id].(map[string]any)
	switch o := pm[key].(type) {
	case int:
		return o, true
	case float64:
		if o == float64(int(o)) {
			return int(o), true
		}
	case string:
		if n, err := strconv.Atoi(o); err == nil {
			return n, true
		}
	}
	return 0, false
}

// ImplementationsOf returns the enabled plugins' implementations of mixin T
// with their identifiers, sorted as [Manager.Implementations] does.
func ImplementationsOf[T any](m *Manager, sortingContext string) []Impl[T] {
	impls := m.Implementations(reflect.TypeFor[T](), sortingContext)
	out := make([]Impl[T], 0, len(impls))
	for _, impl := range impls {
		if v, ok := impl.Value.(T); ok {
			out = append(out, Impl[T]{Plugin: impl.Plugin, Value: v})
		}
	}
	return out
}

// Impl is one plugin's implementation of mixin T.
type Impl[T any] struct {
	Plugin string
	Value  T
}

// CallEach calls fn with every enabled implementation of mixin T, in sorted
// order (OctoPrint's call_plugin). A panic or error from one plugin is
// recovered, logged with its identifier and counted, and the others are
// still called; the result joins the errors, each a *LifecycleError.
//
// Each call has the deadline of PhaseCall (Options.Deadlines): one that
// overruns is abandoned, the plugin is taken as hung (as for a lifecycle
// callback: see Options.Deadlines) and disabled without calling its code,
// and CallEach goes on with the others. A hung plugin is skipped.
func CallEach[T any](m *Manager, sortingContext string, fn func(plugin string, impl T) error) error {
	var errs []error
	name := sortingContext
	if name == "" {
		name = fmt.Sprintf("%v", reflect.TypeFor[T]())
	}
	for _, impl := range ImplementationsOf[T](m, sortingContext) {
		if err := m.callOne(impl.Plugin, func() error { return fn(impl.Plugin, impl.Value) }); err != nil {
			m.fault(impl.Plugin, PhaseCall, name, err)
			errs = append(errs, &LifecycleError{Plugin: impl.Plugin, Phase: PhaseCall, Err: err})
		}
	}
	return errors.Join(errs...)
}

// callOne calls plugin id's code outside the lifecycle (CallEach) within
// the deadline of PhaseCall; one that overruns takes the plugin as hung
// and disables it in the background.
func (m *Manager) callOne(id string, fn func() error) error {
	if evidence, hung := m.hungEvidence(id); hung {
		return fmt.Errorf("%w: not called: %s earlier", ErrHung, evidence)
	}
	d := m.deadline(PhaseCall)
	err, overrun := m.runBounded(PluginLabels(context.Background(), id), d, nil, fn)
	if !overrun {
		return err
	}
	r := m.get(id)
	if r == nil {
		return err
	}
	err = m.hung(r, PhaseCall, d)
	// Off the host's paths at once (its registrations stay until the
	// disable), then disabled, without calling its code.
	m.hooks.RemovePlugin(id)
	m.mu.RLock()
	mixins := r.mixins
	m.mu.RUnlock()
	m.impls.remove(id, mixins)
	go m.disableHung(id)
	return err
}

// disableHung disables plugin id, whose code hung outside an operation,
// as an operation of its own (its disable callbacks are not called: they
// fail at once, the plugin being hung).
func (m *Manager) disableHung(id string) {
	ctx := context.Background()
	_ = m.run(ctx, func() error {
		r := m.get(id)
		if r == nil || r.state != StateEnabled {
			return nil
		}
		return m.disable(ctx, r)
	})
}

// RecordFault records a failure of plugin code that the host called outside
// the lifecycle (an HTTP handler, an event handler): it is logged with the
// plugin's identifier and counted in its listing entry. what says where.
func (m *Manager) RecordFault(plugin, what string, err error) {
	m.fault(plugin, PhaseCall, what, err)
}

// RecordPanic records, as RecordFault does, a panic the host recovered
// from plugin code it called outside the lifecycle; r is the recovered
// value. The fault is recorded as the manager records its own: a
// *PanicError that says, for a source plugin, where in the plugin's own
// code the panic happened, or, for a call into a plugin's process that
// failed without its code panicking (it overran its deadline, the process
// was gone), that failure.
func (m *Manager) RecordPanic(plugin, what string, r any) {
	m.fault(plugin, PhaseCall, what, recovered(r))
}

// fault records a failure of plugin code outside the lifecycle (a hook
// handler, a mixin call): logged with the plugin's identifier and counted.
func (m *Manager) fault(id string, phase Phase, what string, err error) {
	r := m.get(id)
	if r != nil {
		m.mu.RLock()
		inst := r.inst
		m.mu.RUnlock()
		err = locate(err, inst)
	}
	msg := fmt.Sprintf("%s %s: %v", phase, what, err)
	if r != nil {
		r.faults.Add(1)
		r.lastFault.Store(&msg)
		m.generation.Add(1)
	}
	m.log.Error("plugin fault", "plugin", id, "phase", string(phase), "in", what, "error", err)
}

// HookBatcher returns plugin id's instance as a [tier.HookBatcher] when its
// tier takes observe-only hook calls in batches (the process tier), nil
// otherwise or when the plugin is not loaded.
func (m *Manager) HookBatcher(id string) tier.HookBatcher {
	r := m.get(id)
	if r == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, _ := r.inst.(tier.HookBatcher)
	return b
}
