// Package manager is the host side of Tentacle's plugin system: it discovers
// plugins from origins, gates them, and runs their lifecycle (load, enable,
// disable, unload, uninstall) the way OctoPrint's PluginManager does, with
// transactional enables, restart- and reload-needing plugins, lifecycle
// transitions that subscribers are told of, and every call into plugin code guarded against
// panics.
//
// A host makes one [Manager] with its origins, settings, hook registry and
// mixins, calls [Manager.Start], and later [Manager.Shutdown]:
//
//	m, err := manager.New(manager.Options{
//		Origins: []tier.Origin{tier.Bundled()},
//		BaseDir: basedir,
//		Settings: store,
//		Hooks: registry,
//	})
//	if err != nil { ... }
//	if err := m.Start(ctx); err != nil { ... }
//	defer m.Shutdown(context.Background())
package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// Options configure a [Manager]. Only Origins is needed; everything else has
// a usable default.
type Options struct {
	// Origins are scanned in this order; the first origin to provide an
	// identifier wins and later duplicates are listed as shadowed.
	Origins []tier.Origin
	// BaseDir is the host's base directory; plugin data folders are
	// <BaseDir>/data/<id>. Empty means plugins have no data folder.
	BaseDir string
	// APIVersion is the host API version that plugins' Compat constraints are
	// checked against. Default: [tentacle.APIVersion].
	APIVersion string
	// Settings hold the configuration (plugins._disabled,
	// plugins._sortingOrder, plugins._blocklist, plugins._forcedCompatible)
	// and the plugins' settings. Default: an in-memory store.
	Settings *settings.Store
	// Hooks configures the hook registry plugins' handlers go into (see
	// [Manager.Hooks]; the host declares its hooks there). Its OnFault, if
	// set, is called after the manager has logged and counted the fault;
	// its Guard is replaced by the manager's own, which counts a failure of
	// a handler that a plugin calls against the handler's plugin.
	Hooks hooks.Options
	// Mixins are the host's own mixins, detected on every implementation
	// besides those of package tentacle ([tentacle.Mixins]). Each is
	// declared once, as a [tentacle.Mixin]; the manager hands the whole
	// table to the tiers (see [tier.Env]).
	Mixins []tentacle.Mixin
	// SafeMode lets only bundled plugins run; SafeModeReason says why (shown
	// in listings).
	SafeMode       bool
	SafeModeReason string
	// Blocklist lists plugins that must never run, in addition to the
	// configuration's plugins._blocklist.
	Blocklist []BlockEntry
	// Blocked, if set, is asked at discovery (Start, and a rescan that
	// finds a plugin) for every plugin that is not bundled: one it blocks
	// is listed blocklisted with its reason and does not run, as one the
	// Blocklist names (the tentacle server asks its plugin repository's
	// blocklist). It must be quick and safe to call from any goroutine.
	Blocked func(id, version string) (reason string, blocked bool)
	// Quarantine keeps plugins from running for this run only, by
	// identifier, with the evidence shown in listings (a host quarantines
	// the plugin whose callback was running when its last start did not
	// complete). An operator's Enable lifts it.
	Quarantine map[string]string
	// Restarts is how many times, within RestartWindow, a plugin whose code
	// crashed (a process plugin) is restarted before it is left down until
	// an operator enables it again; default 5 within 10 minutes. The delay
	// before a restart doubles from RestartBackoff (default 1 s) up to a
	// minute.
	Restarts       int
	RestartWindow  time.Duration
	RestartBackoff time.Duration
	// Timed, if set, is told how long each plugin took to load (its code
	// imported, checked and loaded: PhaseLoad) and to enable (PhaseEnable),
	// when the step succeeded; the server's metrics read it. It is called
	// from the lifecycle and must not call back into the manager.
	Timed func(t Timing)
	// Deadlines bound every call into a plugin's code that the lifecycle
	// makes (import, check, load, the enable phases, activators, disable,
	// unload, uninstall) and each call of CallEach (PhaseCall), by phase; a
	// phase not in the map gets DefaultDeadline, PhaseImport
	// DefaultImportDeadline; 0 or less means no deadline. A call that
	// overruns is abandoned: its goroutine cannot be stopped and is left
	// running, the plugin is listed as hung ([ErrHung]) with a gate that
	// keeps it from running, its code is not called again (its disable
	// callbacks included) until an operator enables it, and OnHung is
	// called. Lifecycle operations are serialised, so another operation
	// waits for a hung call at most its deadline, never longer. A call
	// with a deadline runs on a worker goroutine while the operation
	// waits for it (a handoff that costs a few microseconds); a call
	// without one runs on the operation's own goroutine, unless the
	// operation's context can be cancelled (a stop then abandons the call
	// as an overrun would, without taking the plugin as hung). A plugin whose
	// code runs in a process of its own is bounded by its tier instead,
	// which kills the process when a lifecycle call overruns. Hook
	// handlers and helpers are called by whoever calls them, without a
	// deadline (the process tier bounds its own).
	Deadlines map[Phase]time.Duration
	// OnHung, if set, is called on a goroutine of its own when a call into
	// a plugin's code overran its deadline, so that the host can keep the
	// plugin from running at its next start (the tentacle server
	// quarantines it).
	OnHung func(HungEvent)
	// Trace, if set, is called before and after every call into plugin code
	// made by the lifecycle (import, check, load, the enable phases,
	// activators, disable, unload, uninstall), from the goroutine that makes
	// it. A host
	// uses it to record which plugin was running if the process dies.
	Trace func(TraceEvent)
	// Logger receives the manager's log and is the parent of every plugin's
	// logger. Default: slog.Default().
	Logger *slog.Logger
}

// Manager runs plugins. Its methods are safe for concurrent use; lifecycle
// operations are serialised. One asked for from plugin code that the
// operation under way runs (a lifecycle callback, a host's activator)
// fails with [ErrReentrant] rather than wait for that operation, which
// waits for the callback: start a goroutine that the callback does not
// wait for instead.
type Manager struct {
	opts       Options
	log        *slog.Logger
	settings   *settings.Store
	hooks      *hooks.Registry
	apiVersion *semver.Version
	mixins     []tentacle.Mixin // the generic mixins, then the host's
	view       *pluginView

	op sync.Mutex // serialises lifecycle operations; held while plugin code runs

	mu          sync.RWMutex // guards the fields below; never held while plugin code runs
	plugins     map[string]*record
	order       []string // discovery order of the identifiers
	started     bool
	enableSeq   uint64
	injected    map[string]any
	factories   map[string]InjectFactory
	activators  []Activator
	subs        map[int]func(Transition)
	nextSub     int
	transitions []Transition // queued by the running operation
	impls       implIndex
	compat      sync.Map                  // Compat constraint -> compatResult
	released    map[string]bool           // quarantined plugins an operator enabled
	held        map[string]bool           // plugins found while running, waiting for an operator
	hungs       map[string]HungEvent      // plugins whose code hung, until an operator enables them
	timers      []*time.Timer             // pending restarts of crashed plugins
	imports     map[string]*pendingImport // imports started ahead of a load pass; guarded by op
	// shadowsLogged are the shadows the latest scan found, by identifier:
	// a shadow is logged when it first appears, not on every scan. Guarded
	// by op.
	shadowsLogged map[string][]Shadow

	// opLabels are the pprof labels of the running operation's context
	// (nil when it has none): what a goroutine gets back after a call into
	// plugin code. Only the running operation touches it.
	opLabels context.Context

	stateErrors atomic.Int64 // state changes the lifecycle does not allow: bugs

	// generation counts the changes a listing may show (see Generation).
	generation atomic.Uint64

	// inPluginCode counts the calls into plugin code under way, those
	// abandoned included.
	inPluginCode atomic.Int32
	abandoned    atomic.Int64 // calls into plugin code that overran and were left running

	// opCtx is the running operation's context (nil outside one); only the
	// running operation touches it. A call into plugin code is abandoned
	// when it is done.
	opCtx    context.Context
	opWorker *worker     // runs the operations' calls into plugin code; nil until the first, and after Shutdown
	opTimer  *time.Timer // the deadline of its call under way, reused
}

// InjectFactory makes a per-plugin injectable (such as a printer proxy that
// tags the commands a plugin sends). It runs on every enable, after the
// core properties are known.
type InjectFactory func(info tentacle.PluginInfo) (any, error)

// New returns a manager for opts. It only fails on invalid options.
func New(opts Options) (*Manager, error) {
	if opts.APIVersion == "" {
		opts.APIVersion = tentacle.APIVersion
	}
	v, err := semver.NewVersion(opts.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("manager: invalid API version %q: %w", opts.APIVersion, err)
	}
	if opts.Settings == nil {
		opts.Settings = settings.New(nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Manager{
		opts:       opts,
		log:        opts.Logger.With("logger", "tentacle.plugin.core"),
		settings:   opts.Settings,
		apiVersion: v,
		plugins:    make(map[string]*record),
		injected:   make(map[string]any),
		factories:  make(map[string]InjectFactory),
		subs:       make(map[int]func(Transition)),
		released:   make(map[string]bool),
		held:       make(map[string]bool),
		hungs:      make(map[string]HungEvent),
	}
	m.view = &pluginView{m: m}
	hookOpts := opts.Hooks
	hookOpts.OnFault = func(plugin, hook string, r any) {
		m.fault(plugin, PhaseHook, hook, recovered(r))
		if opts.Hooks.OnFault != nil {
			opts.Hooks.OnFault(plugin, hook, r)
		}
	}
	hookOpts.Guard = m.guardHandler // the handlers plugins call themselves
	m.hooks = hooks.NewRegistry(hookOpts)
	seen := make(map[reflect.Type]bool)
	for _, mx := range append(tentacle.Mixins(), opts.Mixins...) {
		if err := mx.Check(); err != nil {
			return nil, fmt.Errorf("manager: %w", err)
		}
		if seen[mx.Type] {
			continue
		}
		seen[mx.Type] = true
		m.mixins = append(m.mixins, mx)
	}
	m.impls.init()
	return m, nil
}

// Settings returns the manager's settings store.
func (m *Manager) Settings() *settings.Store { return m.settings }

// Hooks returns the manager's hook registry.
func (m *Manager) Hooks() *hooks.Registry { return m.hooks }

// PluginManager returns the view of the manager that plugins get injected.
func (m *Manager) PluginManager() tentacle.PluginManager { return m.view }

// Inject registers a host injectable under name; enabled plugins see it via
// [tentacle.Context.Injected] from their next enable on.
func (m *Manager) Inject(name string, value any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.injected[name] = value
}

// InjectFactory registers a factory for a per-plugin injectable.
func (m *Manager) InjectFactory(name string, f InjectFactory) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.factories[name] = f
}

func (r *record) info() tentacle.PluginInfo { return candidateInfo(r.id, r.cand) }

// candidateInfo returns the metadata of plugin id as candidate c describes
// it.
func candidateInfo(id string, c tier.Candidate) tentacle.PluginInfo {
	md := c.Metadata
	name := md.Name
	if name == "" {
		name = id
	}
	return tentacle.PluginInfo{
		Identifier:    id,
		Name:          name,
		Version:       md.Version,
		Description:   md.Description,
		Author:        md.Author,
		URL:           md.URL,
		License:       md.License,
		PrivacyPolicy: md.PrivacyPolicy,
		Bundled:       c.Bundled,
		Origin:        c.Origin,
		Tier:          c.Tier,
	}
}

// Shadow is a plugin that an origin also provided, hidden by an earlier
// origin's plugin of the same identifier.
type Shadow struct {
	// Origin is the name of the origin that also provided it.
	Origin   string `json:"origin"`
	Location string `json:"location,omitempty"`
}

// Discover scans every origin and adds the plugins not yet known, gated but
// not loaded. It returns the identifiers added, in discovery order. An error
// from one origin is logged and returned (joined); the others are still
// scanned. Plugins already known are left as they are (see [Manager.Rescan]
// to take up changes), except that their shadowed duplicates are listed
// afresh.
func (m *Manager) Discover(ctx context.Context) ([]string, error) {
	var added []string
	err := m.run(ctx, func() (err error) {
		added, err = m.discover(ctx)
		return err
	})
	return added, err
}

// found is a candidate as a scan found it: with the origin that provided it
// first. cand points into the slice the origin returned.
type found struct {
	cand        *tier.Candidate
	origin      string
	originIndex int
}

// scanResult is one scan of every origin.
type scanResult struct {
	found   []found             // the first origin's candidate of each identifier, in discovery order
	index   map[string]int      // identifier -> its index in found
	shadows map[string][]Shadow // identifier -> later origins' duplicates
	failed  map[int]bool        // origins (by index) whose scan failed
	err     error               // the origins' errors, joined
}

// first returns the candidate of plugin id that the first origin providing
// it found.
func (sc *scanResult) first(id string) (found, bool) {
	i, ok := sc.index[id]
	if !ok {
		return found{}, false
	}
	return sc.found[i], true
}

// scan scans every origin, in order, without changing anything the manager
// knows (it only notes the shadows it logged). An origin whose scan fails is
// logged and marked failed; the candidates it did return are still used.
func (m *Manager) scan(ctx context.Context) scanResult {
	res := scanResult{index: make(map[string]int), shadows: make(map[string][]Shadow), failed: make(map[int]bool)}
	var errs []error
	for i, src := range m.opts.Origins {
		var cands []tier.Candidate
		err := guard(func() (err error) {
			cands, err = src.Scan(ctx)
			return err
		})
		if err != nil {
			err = fmt.Errorf("scan origin %s: %w", src.Name(), err)
			m.log.Error("plugin origin failed", "origin", src.Name(), "error", err)
			errs = append(errs, err)
			res.failed[i] = true
		}
		for j := range cands {
			c := &cands[j]
			if _, dup := res.index[c.ID]; dup {
				res.shadows[c.ID] = append(res.shadows[c.ID], Shadow{Origin: src.Name(), Location: c.Location})
				continue
			}
			res.index[c.ID] = len(res.found)
			res.found = append(res.found, found{cand: c, origin: src.Name(), originIndex: i})
		}
	}
	res.err = errors.Join(errs...)
	m.logShadows(res)
	return res
}

// logShadows logs the shadows of res that the previous scan did not find:
// a shadow is logged once when it appears (or changes), not on every scan.
func (m *Manager) logShadows(res scanResult) {
	for _, f := range res.found {
		id := f.cand.ID
		for _, s := range res.shadows[id] {
			if !slices.Contains(m.shadowsLogged[id], s) {
				m.log.Warn("plugin shadowed by an earlier origin", "plugin", id, "origin", s.Origin,
					"location", s.Location, "kept_origin", f.origin, "kept_location", f.cand.Location)
			}
		}
	}
	m.shadowsLogged = res.shadows
}

func (m *Manager) discover(ctx context.Context) ([]string, error) {
	cfg := m.readConfig()
	m.hooks.SetOrderOverrides(cfg.sortingOrder)
	sc := m.scan(ctx)
	var added []string
	for _, f := range sc.found {
		id := f.cand.ID
		m.mu.Lock()
		old, known := m.plugins[id]
		if known && old.state != StateUnloaded {
			old.shadowed = sc.shadows[id]
			m.mu.Unlock()
			continue
		}
		m.mu.Unlock()
		m.add(f, sc.shadows[id], cfg)
		added = append(added, id)
	}
	return added, sc.err
}

// add makes a gated, unloaded record of f (replacing an unloaded record of
// the same identifier) and lists it.
func (m *Manager) add(f found, shadows []Shadow, cfg pluginConfig) *record {
	c := *f.cand
	r := &record{id: c.ID, cand: c, origin: f.origin, originIndex: f.originIndex, shadowed: shadows}
	m.mu.Lock()
	r.gate = m.evaluateGates(r, cfg)
	if c.Invalid != nil {
		r.lastErr = lifecycleErr(c.ID, PhaseDiscover, c.Invalid)
	}
	if _, existed := m.plugins[c.ID]; !existed {
		m.order = append(m.order, c.ID)
	}
	m.plugins[c.ID] = r
	m.mu.Unlock()
	m.warnings(c.ID, &c)
	return r
}

// warnings logs a candidate's warnings.
func (m *Manager) warnings(id string, c *tier.Candidate) {
	for _, w := range c.Warnings {
		m.log.Warn("plugin warning", "plugin", id, "warning", w)
	}
}

// forget removes plugin id from the listing; mu must not be held.
func (m *Manager) forget(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.plugins, id)
	for i, o := range m.order {
		if o == id {
			m.order = append(m.order[:i:i], m.order[i+1:]...)
			break
		}
	}
}

// ids returns the identifiers in discovery order, optionally filtered.
func (m *Manager) ids(keep func(*record) bool) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for _, id := range m.order {
		if r := m.plugins[id]; r != nil && (keep == nil || keep(r)) {
			out = append(out, id)
		}
	}
	return out
}

func (m *Manager) get(id string) *record {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.plugins[id]
}

// reentrant reports whether the calling goroutine is in plugin code that
// a lifecycle operation called (a lifecycle callback, an activator): an
// operation it started would wait for the one under way, which waits for
// it. It costs nothing unless the manager is running plugin code, and
// then a look at the caller's stack for the manager's call into it.
func (m *Manager) reentrant() bool {
	return m.inPluginCode.Load() > 0 && inCall()
}

// run runs a lifecycle operation: serialised with the others, and the
// transitions it caused told once it is over, with no lock held. ctx
// is the operation's context; its pprof labels are what the goroutine gets
// back after each call into plugin code.
func (m *Manager) run(ctx context.Context, op func() error) error {
	if m.reentrant() {
		return fmt.Errorf("manager: %w", ErrReentrant)
	}
	var transitions []Transition
	err := func() error {
		m.op.Lock()
		m.opLabels = labelsOnly(ctx)
		m.opCtx = ctx
		defer func() {
			m.opLabels = nil
			m.opCtx = nil
			transitions = m.takeTransitions()
			m.generation.Add(1)
			m.op.Unlock()
		}()
		return op()
	}()
	m.notify(transitions)
	return err
}

// Generation counts the changes that the listing ([Manager.List],
// [Manager.Orphans]) may show: it grows after every lifecycle operation
// (whether or not it changed anything), fault and crash. It is one atomic
// load, cheap enough to poll: a host that shows the listing, such as the
// tentacle server pushing changes to its browser clients, compares it with
// the value it last saw and reads the listing only when it grew.
func (m *Manager) Generation() uint64 { return m.generation.Load() }

// Load discovers plugins and loads every one that passes its gates, without
// enabling any: what a command-line tool does to list plugins with what only
// their code can tell (restart-needing, mixins). Plugin and origin errors
// are recorded in the listing and returned joined.
func (m *Manager) Load(ctx context.Context) error {
	return m.run(ctx, func() error { return m.loadPass(ctx) })
}

func (m *Manager) loadPass(ctx context.Context) error {
	var errs []error
	if _, err := m.discover(ctx); err != nil {
		errs = append(errs, err)
	}
	ids := m.ids(func(r *record) bool { return r.state == StateFound && r.gate.ok() })
	m.startImports(ctx, ids)
	defer m.dropImports()
	for _, id := range ids {
		if ctx.Err() != nil {
			// The host is stopping: load no more.
			errs = append(errs, fmt.Errorf("load pass: %w", ctx.Err()))
			break
		}
		if err := m.load(ctx, m.get(id)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Start discovers plugins, loads every one that passes its gates and enables
// every loaded one, in discovery order, as a host does at startup. Failures
// of single plugins are logged and recorded in their listing entry; they do
// not stop the others. The returned error joins every plugin and origin
// error. From then on, toggling a restart-needing plugin is only recorded.
func (m *Manager) Start(ctx context.Context) error {
	return m.run(ctx, func() error {
		errs := []error{m.loadPass(ctx)}
		m.hooks.Hold()
		defer m.hooks.Release()
		for _, id := range m.ids(func(r *record) bool { return r.state == StateLoaded }) {
			if ctx.Err() != nil {
				// The host is stopping: enable no more.
				errs = append(errs, fmt.Errorf("start: %w", ctx.Err()))
				break
			}
			errs = append(errs, m.enable(ctx, m.get(id)))
		}
		m.mu.Lock()
		m.started = true
		m.mu.Unlock()
		return errors.Join(errs...)
	})
}

// Started reports whether Start has completed: from then on, toggling a
// restart-needing plugin is recorded as pending instead of acted on.
func (m *Manager) Started() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.started
}

// Shutdown disables every enabled plugin (most recently enabled first) and
// unloads every loaded one, whether restart-needing or not. It returns the
// joined errors.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.stopTimers()
	return m.run(ctx, func() error {
		defer m.endWorker()
		var errs []error
		enabled := m.ids(func(r *record) bool { return r.state == StateEnabled })
		sort.SliceStable(enabled, func(i, j int) bool { return m.get(enabled[i]).enabled.seq > m.get(enabled[j]).enabled.seq })
		// Take every handler off the hot path first, in one publication
		// rather than one per plugin.
		m.hooks.Hold()
		for _, id := range enabled {
			m.hooks.RemovePlugin(id)
		}
		m.hooks.Release()
		for _, id := range enabled {
			errs = append(errs, m.disable(ctx, m.get(id)))
		}
		for _, id := range m.ids(func(r *record) bool { return r.loaded() }) {
			errs = append(errs, m.unload(ctx, m.get(id)))
		}
		m.mu.Lock()
		m.started = false
		m.mu.Unlock()
		return errors.Join(errs...)
	})
}
