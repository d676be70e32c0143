package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// undoStep undoes one registration made while enabling a plugin.
type undoStep struct {
	what string
	fn   func() error
}

// code is a plugin's code loaded from one candidate: an instance that Check
// passed and Load ran on, with its detected mixins.
type code struct {
	bundled  bool // its candidate's
	isolated bool // its candidate's
	inst     tier.Instance
	def      *tentacle.Definition
	mixins   map[reflect.Type]any
	restart  []string // why toggling it needs a restart
	reload   bool     // toggling it needs browser clients to reload
}

// errCheckFalse is the cause of a load whose Check returned false.
var errCheckFalse = errors.New(reasonCheck)

// load imports a gated-in plugin's code, runs Check and Load, and detects its
// mixins. A failed Check is a gate, not an error.
func (m *Manager) load(ctx context.Context, r *record) error {
	m.mu.Lock()
	delete(m.held, r.id) // someone wants it to run
	m.mu.Unlock()
	start := time.Now()
	c, err := m.loadCode(ctx, r, &r.cand, m.isolated(r.originIndex))
	if errors.Is(err, errCheckFalse) {
		m.mu.Lock()
		r.gate.refuse(&r.gate.checkFailed, false, reasonCheck)
		m.mu.Unlock()
		m.log.Info("plugin did not pass its check", "plugin", r.id)
		return nil
	}
	if err != nil {
		m.mu.Lock()
		r.lastErr = err
		m.mu.Unlock()
		return err
	}
	m.mu.Lock()
	r.adopt(c)
	m.setState(r, StateLoaded)
	r.lastErr = nil
	m.queue(Loaded, r)
	m.mu.Unlock()
	m.log.Debug("plugin loaded", "plugin", r.id, "tier", r.cand.Tier)
	m.timed(r, PhaseLoad, start)
	return nil
}

// adopt makes c the record's code (not its candidate); mu must be held.
func (r *record) adopt(c *code) {
	r.inst, r.def, r.mixins = c.inst, c.def, c.mixins
	r.restartReasons, r.reloadNeeding = c.restart, c.reload
}

// code returns r's code; mu must be held.
func (m *Manager) code(r *record) *code {
	return &code{bundled: r.cand.Bundled, isolated: m.isolated(r.originIndex), inst: r.inst, def: r.def, mixins: r.mixins, restart: r.restartReasons, reload: r.reloadNeeding}
}

// tierEnv is what the manager gives a tier to load plugin r's code.
func (m *Manager) tierEnv(r *record) tier.Env {
	id := r.id
	return tier.Env{
		Mixins:      m.mixins,
		Logger:      m.pluginLogger(r),
		AllowUnsafe: stringSet(m.settings.Get("plugins._allowUnsafe"))[id],
		HookType: func(hook string) (reflect.Type, bool) {
			spec, ok := m.hooks.Spec(hook)
			return spec.Type, ok && spec.Type != nil
		},
		HookFilter: func(hook string) (reflect.Type, bool) {
			spec, ok := m.hooks.Spec(hook)
			return spec.Filter, ok && spec.Filter != nil
		},
		HookBudget: func(hook string) time.Duration {
			spec, _ := m.hooks.Spec(hook)
			return spec.Budget
		},
		DataFolder: m.dataFolder(id),
		Crashed:    func(err error) { m.crashed(id, err) },
	}
}

// loadCode imports cand's code as plugin r, runs Check and Load and detects
// its mixins, without changing the record (other than its logger). It fails
// with a *LifecycleError of phase import, check or load (wrapping
// errCheckFalse when Check returned false), logged, having closed the
// instance.
func (m *Manager) loadCode(ctx context.Context, r *record, cand *tier.Candidate, isolated bool) (*code, error) {
	id := r.id
	if cand.Load == nil {
		return nil, lifecycleErr(id, PhaseImport, ErrNotLoaded)
	}
	imported := m.takeImport(id, cand)
	var inst tier.Instance
	// A compiled-in plugin's import runs none of its code (its Check and
	// Load come next): it needs no deadline.
	bounded := !isolated && cand.Tier != tier.BuiltinTier
	err := m.callPlugin(r, cand.Bundled, isolated, bounded, PhaseImport, func() (err error) {
		if imported != nil {
			inst, err = imported.wait()
			return err
		}
		inst, err = cand.Load(ctx, m.tierEnv(r))
		return err
	})
	if err == nil && inst == nil {
		err = errors.New("tier returned no instance")
	}
	if err != nil {
		return nil, m.loadFailed(r, PhaseImport, err, nil)
	}
	var def *tentacle.Definition
	if err := guard(func() error { def = inst.Definition(); return nil }); err != nil || def == nil {
		if err == nil {
			err = errors.New("no plugin definition")
		}
		return nil, m.loadFailed(r, PhaseImport, err, inst)
	}
	if def.Check != nil {
		passed := false
		if err := m.call(r, cand.Bundled, isolated, PhaseCheck, func() error { passed = def.Check(); return nil }); err != nil {
			return nil, m.loadFailed(r, PhaseCheck, locate(err, inst), inst)
		}
		if !passed {
			m.closeInstance(id, inst)
			return nil, &LifecycleError{Plugin: id, Phase: PhaseCheck, Err: errCheckFalse}
		}
	}
	if def.Load != nil {
		if err := m.call(r, cand.Bundled, isolated, PhaseLoad, def.Load); err != nil {
			return nil, m.loadFailed(r, PhaseLoad, locate(err, inst), inst)
		}
	}
	mixins := make(map[reflect.Type]any)
	for _, ms := range m.mixins {
		var v any
		var ok bool
		if err := guard(func() error { v, ok = inst.As(ms.Type); return nil }); err != nil {
			return nil, m.loadFailed(r, PhaseImport, fmt.Errorf("detect mixin %s: %w", ms.Name(), err), inst)
		}
		if ok {
			mixins[ms.Type] = v
		}
	}
	restart, reload := m.classify(def, mixins)
	return &code{bundled: cand.Bundled, isolated: isolated, inst: inst, def: def, mixins: mixins, restart: restart, reload: reload}, nil
}

// loadFailed closes inst (if any), logs the failure and returns it as a
// *LifecycleError.
func (m *Manager) loadFailed(r *record, phase Phase, err error, inst tier.Instance) error {
	if inst != nil {
		m.closeInstance(r.id, inst)
	}
	m.log.Error("plugin failed to load", "plugin", r.id, "phase", string(phase), "error", err)
	return lifecycleErr(r.id, phase, err)
}

func (m *Manager) closeInstance(id string, inst tier.Instance) {
	if err := guard(inst.Close); err != nil {
		m.log.Error("plugin instance did not close", "plugin", id, "error", err)
	}
}

// classify says why a plugin needs a restart to be toggled (no reasons: it
// does not) and whether toggling it needs a reload.
func (m *Manager) classify(def *tentacle.Definition, mixins map[reflect.Type]any) (restart []string, reload bool) {
	restart = []string{} // not nil: the code has told (see restartInfoLocked)
	for _, ms := range m.mixins {
		if _, ok := mixins[ms.Type]; !ok {
			continue
		}
		if ms.RestartNeeding {
			restart = append(restart, "implements "+ms.Name())
		}
		reload = reload || ms.ReloadNeeding
	}
	names := make([]string, 0, len(def.Hooks))
	for name := range def.Hooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if m.hooks.RestartNeeding(name) {
			restart = append(restart, "has a handler for hook "+m.hookName(name))
		}
	}
	if len(def.SettingsOverlay) > 0 {
		restart = append(restart, "has a settings overlay")
	}
	return restart, reload
}

// enable runs the enable phases in their documented order. Any failure
// undoes what was done, in reverse, and leaves the plugin disabled with a
// *LifecycleError.
//
// What the plugin registers becomes visible to the host only when the whole
// enable has succeeded: its hook handlers reach the hot path (typed
// snapshots), its helpers other plugins, and its mixin implementations the
// host's calls, all at the end. So no handler runs before Initialize, and a
// rolled-back enable was never seen.
func (m *Manager) enable(ctx context.Context, r *record) error {
	if r.state != StateLoaded && r.state != StateDisabled {
		return lifecycleErr(r.id, PhaseEnable, fmt.Errorf("cannot enable a plugin that is %s", r.state))
	}
	id, def := r.id, r.def
	start := time.Now()
	t := &teardown{m: m, r: r}
	m.hooks.Hold()
	defer m.hooks.Release()

	// 1. Definition.Enable
	if def.Enable != nil {
		if err := m.in(r, PhaseEnable, def.Enable); err != nil {
			return m.enableFailed(t, PhaseEnable, err)
		}
	}
	t.enableCalled = true

	// 2. Register hooks, helpers, mixin implementations, settings overlay.
	if err := m.register(t); err != nil {
		return m.enableFailed(t, PhaseRegister, err)
	}

	// 3. Inject: settings defaults, context, injectables; 4. Initialize;
	// 5. settings migration; 6. OnPluginEnabled. The plugin's calls come
	// back to back, with the host's work between them, in one call.
	steps := m.injectSteps(t)
	if init, ok := r.mixins[typeInitializer].(tentacle.Initializer); ok {
		steps = append(steps, step{phase: PhaseInitialize, fn: init.Initialize})
	}
	steps = append(steps, m.migrateSteps(r)...)
	if l, ok := r.mixins[typeEnableListener].(tentacle.EnableListener); ok {
		steps = append(steps,
			step{phase: PhaseEnabled, fn: func() error { l.OnPluginEnabled(); return nil }},
			hostStep(PhaseEnabled, func() error { t.enabledNotified = true; return nil }))
	} else {
		t.enabledNotified = true
	}
	if phase, err := m.inSteps(r, steps...); err != nil {
		return m.enableFailed(t, phase, err)
	}

	// 7. The host's activators.
	m.mu.RLock()
	activators := append([]Activator(nil), m.activators...)
	m.mu.RUnlock()
	p := Plugin{r: r, m: m}
	for _, a := range activators {
		if err := m.in(r, Phase(a.Name()), func() error { return a.Activate(p) }); err != nil {
			return m.enableFailed(t, Phase(a.Name()), err)
		}
		t.push("activator "+a.Name(), func() error { return guard(func() error { a.Deactivate(p); return nil }) })
	}

	// Commit: publish the mixin implementations (the hook handlers are
	// published by the deferred Release, helpers by the state change).
	m.impls.add(r.id, r.cand.Bundled, r.mixins)
	t.push("mixin implementations", func() error { m.impls.remove(r.id, r.mixins); return nil })
	m.mu.Lock()
	m.enableSeq++
	r.enabled.seq = m.enableSeq
	r.enabled.undo = t.undo
	m.setState(r, StateEnabled)
	r.lastErr = nil
	m.queue(Enabled, r)
	m.mu.Unlock()
	m.log.Debug("plugin enabled", "plugin", id)
	m.timed(r, PhaseEnable, start)
	return nil
}

func (m *Manager) register(t *teardown) error {
	r := t.r
	def := r.def
	names := make([]string, 0, len(def.Hooks))
	for name := range def.Hooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		reg := hooks.Unwrap(def.Hooks[name])
		reg.Timed, reg.Tier = r.cand.Tier != tier.BuiltinTier, string(r.cand.Tier)
		if err := m.hooks.Add(r.id, name, reg); err != nil {
			return err
		}
		t.push("hook "+name, func() error { m.hooks.Remove(r.id, name); return nil })
	}

	helpers := make(map[string]any, len(def.Helpers))
	for name, h := range def.Helpers {
		helpers[name] = m.guardHelper(r.id, name, h)
	}
	m.mu.Lock()
	r.enabled.helpers = helpers
	m.mu.Unlock()
	t.push("helpers", func() error {
		m.mu.Lock()
		r.enabled.helpers = nil
		m.mu.Unlock()
		return nil
	})

	if len(def.SettingsOverlay) > 0 {
		key := overlayKey(r.id)
		m.settings.AddOverlay(key, def.SettingsOverlay)
		t.push("settings overlay", func() error { m.settings.RemoveOverlay(key); return nil })
	}
	return nil
}

func overlayKey(id string) string { return "plugin:" + id }

// injectSteps are the steps that register the plugin's settings defaults,
// make its context and hand it to the plugin's implementation.
func (m *Manager) injectSteps(t *teardown) []step {
	r := t.r
	id := r.id
	steps := make([]step, 0, 8)
	if sp, ok := r.mixins[typeSettingsPlugin].(tentacle.SettingsPlugin); ok {
		var defaults map[string]any
		steps = append(steps,
			step{phase: PhaseInject, fn: func() error { defaults = sp.SettingsDefaults(); return nil }},
			hostStep(PhaseInject, func() error {
				m.settings.SetPluginDefaults(id, defaults)
				t.push("settings defaults", func() error { m.settings.RemovePluginDefaults(id); return nil })
				return nil
			}))
	}
	var c *tentacle.Context
	return append(steps,
		hostStep(PhaseInject, func() (err error) { c, err = m.makeContext(t); return err }),
		step{phase: PhaseInject, fn: func() error { _, err := r.inst.Inject(c); return err }})
}

// makeContext makes the plugin's context with its injectables, to be
// handed to its implementation.
func (m *Manager) makeContext(t *teardown) (*tentacle.Context, error) {
	r := t.r
	id := r.id
	info := r.info()
	m.mu.RLock()
	injected := make(map[string]any, len(m.injected)+len(m.factories))
	for k, v := range m.injected {
		injected[k] = v
	}
	names := make([]string, 0, len(m.factories))
	for name := range m.factories {
		names = append(names, name)
	}
	factories := m.factories
	m.mu.RUnlock()
	sort.Strings(names)
	for _, name := range names {
		f := factories[name]
		var v any
		if err := guard(func() (err error) { v, err = f(info); return err }); err != nil {
			return nil, fmt.Errorf("injectable %q: %w", name, err)
		}
		injected[name] = v
	}

	cfg := tentacle.ContextConfig{
		Identifier: id,
		Info:       info,
		Logger:     m.pluginLogger(r),
		Settings:   m.settings.Plugin(id),
		Manager:    m.view,
		Injected:   injected,
	}
	cfg.BaseFolder = r.cand.BaseFolder
	if cfg.BaseFolder == "" {
		cfg.BaseFolder = r.cand.Location
	}
	cfg.DataFolder = m.dataFolder(id)
	c, cancel := tentacle.NewContext(context.Background(), cfg)
	m.mu.Lock()
	r.enabled.ctx, r.enabled.cancel = c, cancel
	m.mu.Unlock()
	t.push("context", func() error {
		cancel()
		m.mu.Lock()
		r.enabled.ctx, r.enabled.cancel = nil, nil
		m.mu.Unlock()
		return nil
	})
	return c, nil
}

// migrateSteps are the steps that run a SettingsMigrator's migration when
// the stored settings version is older than the plugin's, and store the
// new version.
func (m *Manager) migrateSteps(r *record) []step {
	sm, ok := r.mixins[typeSettingsMigrator].(tentacle.SettingsMigrator)
	if !ok {
		return nil
	}
	path := "plugins." + r.id + "._config_version"
	var target, current int
	return []step{
		{phase: PhaseMigrate, fn: func() error { target = sm.SettingsVersion(); return nil }},
		hostStep(PhaseMigrate, func() error { current = m.settings.GetInt(path); return nil }),
		{phase: PhaseMigrate, fn: func() error {
			if current >= target {
				return nil
			}
			return sm.OnSettingsMigrate(target, current)
		}},
		hostStep(PhaseMigrate, func() error {
			if current >= target {
				return nil
			}
			if err := m.settings.Set(path, target); errors.Is(err, settings.ErrReadOnly) {
				// The configuration did not parse: run on, migrating again
				// next time.
				m.log.Warn("settings version not stored: the configuration is read-only", "plugin", r.id, "error", err)
				return nil
			} else if err != nil {
				return fmt.Errorf("store settings version %d: %w", target, err)
			}
			if err := m.settings.Save(); err != nil {
				m.log.Warn("settings version not saved", "plugin", r.id, "error", err)
			}
			m.log.Info("plugin settings migrated", "plugin", r.id, "from", current, "to", target)
			return nil
		}),
	}
}

// teardown undoes an enable: Definition.Disable, OnPluginDisabled, then every
// registration in reverse order.
type teardown struct {
	m               *Manager
	r               *record
	undo            []undoStep
	enableCalled    bool
	enabledNotified bool
}

func (t *teardown) push(what string, fn func() error) {
	t.undo = append(t.undo, undoStep{what: what, fn: fn})
}

func (t *teardown) run() error {
	var errs []error
	def, r := t.r.def, t.r
	if t.enableCalled && def.Disable != nil {
		if err := t.m.in(r, PhaseDisable, def.Disable); err != nil {
			errs = append(errs, fmt.Errorf("disable function: %w", err))
		}
	}
	if l, ok := r.mixins[typeDisableListener].(tentacle.DisableListener); ok && t.enabledNotified {
		if err := t.m.in(r, PhaseDisable, func() error { l.OnPluginDisabled(); return nil }); err != nil {
			errs = append(errs, fmt.Errorf("OnPluginDisabled: %w", err))
		}
	}
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.undo[i].fn(); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", t.undo[i].what, err))
		}
	}
	t.undo = nil
	return errors.Join(errs...)
}

func (m *Manager) enableFailed(t *teardown, phase Phase, err error) error {
	if terr := t.run(); terr != nil {
		err = fmt.Errorf("%w; additionally, rollback: %v", err, terr)
	}
	le := &LifecycleError{Plugin: t.r.id, Phase: phase, Err: err}
	m.mu.Lock()
	m.setState(t.r, StateDisabled)
	t.r.enabled.undo = nil
	t.r.lastErr = le
	m.mu.Unlock()
	m.log.Error("plugin could not be enabled", "plugin", t.r.id, "phase", string(phase), "error", err)
	return le
}

// disable withdraws the plugin from the host's paths, runs
// Definition.Disable and OnPluginDisabled and deregisters what enable
// registered. The plugin ends disabled even when a step fails; the failure
// is returned and recorded.
func (m *Manager) disable(_ context.Context, r *record) error {
	if r.state != StateEnabled {
		return nil
	}
	// What was published last on enable is withdrawn first: the host stops
	// calling the plugin's handlers, helpers and implementations before its
	// disable callbacks run.
	m.hooks.RemovePlugin(r.id)
	m.impls.remove(r.id, r.mixins)
	m.mu.Lock()
	r.enabled.helpers = nil
	m.mu.Unlock()
	t := &teardown{m: m, r: r, undo: r.enabled.undo, enableCalled: true, enabledNotified: true}
	err := t.run()
	m.mu.Lock()
	m.setState(r, StateDisabled)
	r.enabled.undo = nil
	if err != nil {
		err = &LifecycleError{Plugin: r.id, Phase: PhaseDisable, Err: err}
		r.lastErr = err
	}
	m.queue(Disabled, r)
	m.mu.Unlock()
	if err != nil {
		m.log.Error("plugin disabled with errors", "plugin", r.id, "error", err)
	} else {
		m.log.Debug("plugin disabled", "plugin", r.id)
	}
	return err
}

// unload disables the plugin if needed, runs Definition.Unload and releases
// its code.
func (m *Manager) unload(ctx context.Context, r *record) error {
	if !r.loaded() {
		return nil
	}
	var errs []error
	if r.state == StateEnabled {
		if err := m.disable(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	m.mu.RLock()
	c := m.code(r)
	m.mu.RUnlock()
	if err := m.unloadCode(r, c); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	m.mu.Lock()
	r.inst, r.def, r.mixins, r.enabled.helpers = nil, nil, nil, nil
	m.setState(r, StateUnloaded)
	if err != nil {
		r.lastErr = err
	}
	m.queue(Unloaded, r)
	m.mu.Unlock()
	if err != nil {
		m.log.Error("plugin unloaded with errors", "plugin", r.id, "error", err)
	}
	return err
}

// unloadCode runs c's Definition.Unload and closes its instance (c is not
// enabled). It returns the joined failures, each a *LifecycleError of phase
// unload.
func (m *Manager) unloadCode(r *record, c *code) error {
	var errs []error
	if c.def.Unload != nil {
		if err := m.call(r, c.bundled, c.isolated, PhaseUnload, c.def.Unload); err != nil {
			errs = append(errs, &LifecycleError{Plugin: r.id, Phase: PhaseUnload, Err: err})
		}
	}
	if err := guard(c.inst.Close); err != nil {
		errs = append(errs, &LifecycleError{Plugin: r.id, Phase: PhaseUnload, Err: fmt.Errorf("close: %w", err)})
	}
	return errors.Join(errs...)
}

// pluginLogger returns plugin id's logger, made once per record.
func (m *Manager) pluginLogger(r *record) *slog.Logger {
	if r.logger == nil {
		r.logger = m.opts.Logger.With("logger", "tentacle.plugins."+r.id, "plugin", r.id)
	}
	return r.logger
}

// TraceEvent tells a host's Options.Trace that the manager is about to call
// into a plugin (Done false) or has returned from it (Done true).
type TraceEvent struct {
	Plugin  string
	Bundled bool
	// Isolated: the plugin's code runs apart from the host's process (its
	// origin is tier.Isolating), so it cannot take the host down.
	Isolated bool
	Phase    Phase
	Done     bool
}

// dataFolder is plugin id's data folder, or empty when the host has no base
// folder.
func (m *Manager) dataFolder(id string) string {
	if m.opts.BaseDir == "" {
		return ""
	}
	return filepath.Join(m.opts.BaseDir, "data", id)
}
