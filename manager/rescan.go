package manager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/tentacle-go/tentacle/tier"
)

// RescanResult reports what [Manager.Rescan] changed. Each list is sorted.
type RescanResult struct {
	// Added lists the plugins found that were not known.
	Added []string `json:"added"`
	// Removed lists the plugins that no origin provides any more: they were
	// disabled, unloaded and dropped from the listing (their settings and
	// data are kept, see [Manager.Orphans]).
	Removed []string `json:"removed"`
	// Reloaded lists the known plugins whose changed candidate was taken
	// up: their code was replaced (see [Manager.Reload]), or, for plugins
	// that were not loaded, their listing entry.
	Reloaded []string `json:"reloaded"`
	// Pending lists the changed plugins that are enabled and need a restart
	// to run their new code (pending_reload in their listing entries).
	Pending []string `json:"pending"`
	// Errors holds each plugin's error, a *LifecycleError: changed code that
	// did not load or enable (the loaded code kept running), a new plugin
	// that did not load or enable, a removed plugin that did not unload
	// cleanly. They are also joined into the error Rescan returns.
	Errors map[string]error `json:"-"`
}

// MarshalJSON encodes the result with its errors as listing errors
// ({"phase": ..., "message": ...}) under "errors".
func (r RescanResult) MarshalJSON() ([]byte, error) {
	type plain RescanResult
	errs := make(map[string]*ErrorInfo, len(r.Errors))
	for id, err := range r.Errors {
		errs[id] = errorInfo(err)
	}
	return json.Marshal(struct {
		plain
		Errors map[string]*ErrorInfo `json:"errors"`
	}{plain(r), errs})
}

// Rescan scans every origin again, as discovery does, and reconciles what
// they provide with what the manager knows, as one lifecycle operation:
//
//   - A plugin not known before is added and gated. While the manager is
//     started and the configuration has plugins._autoEnable: true, one that
//     no gate refuses is loaded and enabled (a restart-needing one is only
//     loaded, and listed as pending_install); otherwise it is listed, not
//     loaded, for an operator to enable.
//   - A known plugin that no origin provides any more is disabled if it is
//     enabled (restart-needing or not: its files are gone), unloaded and
//     dropped from the listing. Its settings and data are kept; they show in
//     [Manager.Orphans].
//   - A known plugin whose candidate changed (another non-empty
//     [tier.Candidate.Digest] than at the previous scan, another location,
//     or another origin) is reloaded as [Manager.Reload] does. A change back
//     to the code that is loaded cancels a pending reload.
//   - Shadowed duplicates are listed afresh.
//
// A plugin whose origin fails to scan is left as it is: the manager cannot
// tell whether it changed. Changed code that cannot be used (it does not
// parse, declares no plugin, fails to load or to enable) leaves the loaded
// code running and is not tried again until it changes again or
// [Manager.Reload] is called. Lifecycle events fire as for every operation.
// The error joins every plugin's error (also in RescanResult.Errors) and
// every origin's.
func (m *Manager) Rescan(ctx context.Context) (RescanResult, error) {
	var res RescanResult
	err := m.run(ctx, func() (err error) {
		res, err = m.rescan(ctx)
		return err
	})
	return res, err
}

func (m *Manager) rescan(ctx context.Context) (RescanResult, error) {
	cfg := m.readConfig()
	m.hooks.SetOrderOverrides(cfg.sortingOrder)
	sc := m.scan(ctx)
	res := RescanResult{Added: []string{}, Removed: []string{}, Reloaded: []string{}, Pending: []string{}, Errors: map[string]error{}}
	fail := func(id string, err error) {
		if err != nil {
			res.Errors[id] = err
		}
	}

	for _, id := range m.ids(nil) {
		r := m.get(id)
		if sc.failed[r.originIndex] {
			continue // its origin could not tell: keep it as it is
		}
		f, ok := sc.first(id)
		if !ok {
			fail(id, m.remove(ctx, r))
			res.Removed = append(res.Removed, id)
			continue
		}
		m.mu.Lock()
		r.shadowed = sc.shadows[id]
		m.mu.Unlock()
		switch m.compare(r, f) {
		case unchanged:
			continue
		case reverted:
			m.revert(r)
			continue
		}
		ch, err := m.reloadTo(ctx, r, f, cfg)
		fail(id, err)
		switch {
		case ch.Pending:
			res.Pending = append(res.Pending, id)
		case ch.Applied:
			res.Reloaded = append(res.Reloaded, id)
		}
	}

	m.mu.RLock()
	started := m.started
	m.mu.RUnlock()
	auto := m.settings.Get("plugins._autoEnable") == true
	var late []string // found while running, to start now
	for _, f := range sc.found {
		id := f.cand.ID
		if m.get(id) != nil {
			continue
		}
		r := m.add(f, sc.shadows[id], cfg)
		res.Added = append(res.Added, id)
		switch {
		case !started:
			// Start loads and enables it with the others.
		case auto:
			late = append(late, id)
		default:
			m.hold(r)
			m.log.Info("new plugin found; enable it to run it (plugins._autoEnable is off)", "plugin", id)
		}
	}
	// Several packages installed at once start side by side, as at Start.
	m.startImports(ctx, m.ids(func(r *record) bool { return slices.Contains(late, r.id) && r.gate.ok() }))
	for _, id := range late {
		fail(id, m.startLate(ctx, m.get(id)))
	}
	m.dropImports()

	for _, list := range [][]string{res.Added, res.Removed, res.Reloaded, res.Pending} {
		sort.Strings(list)
	}
	ids := make([]string, 0, len(res.Errors))
	for id := range res.Errors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	errs := make([]error, 0, len(ids)+1)
	for _, id := range ids {
		errs = append(errs, res.Errors[id])
	}
	errs = append(errs, sc.err)
	return res, errors.Join(errs...)
}

// Reload replaces plugin id's code with what its origin provides now, as
// an operator (or a watcher of the plugins folder) asks for after the code
// changed. It scans every origin to get the plugin's current candidate (the
// first origin that provides it wins, as at discovery) and reconciles only
// this plugin, reloading it even when its code looks unchanged:
//
//  1. The new code is loaded as a new instance (import, Check, Load). If
//     that fails, or the new candidate cannot be loaded at all (it does not
//     parse, declares no plugin), the loaded code keeps running untouched
//     and the error (phase import, check, load, or discover) is returned
//     and shown in the listing, with the reason.
//  2. If the plugin is enabled, the old instance is disabled (a regular
//     disable), then the new one enabled (transactionally). If the new one
//     fails to enable, it is unloaded, the old one enabled again, and the
//     new one's error returned.
//  3. The old instance is unloaded (its definition's Unload, then the
//     tier's Close).
//
// Lifecycle events: loaded (new code), disabled (old), enabled (new),
// unloaded (old); after a failed enable: loaded (new), disabled (old),
// unloaded (new), enabled (old).
//
// A plugin that is loaded but not enabled just gets its instance replaced;
// one whose enable had failed (disabled, though no gate refuses it) is then
// enabled with the new code. A plugin that is not loaded gets its new
// candidate listed and gated, and is loaded and enabled when the manager is
// started, no gate refuses it and it is not a new plugin waiting for an
// operator.
//
// For a loaded plugin, the checks come in this order: a new candidate that
// cannot be loaded at all keeps the old code (as above); an enabled
// restart-needing plugin is not swapped (the change is reported as Pending
// with NeedsRestart and listed as pending_reload until a restart); new code
// that a gate refuses (blocklisted, incompatible, disabled by its name, a
// safe mode victim) takes the old code down: it is disabled and unloaded,
// and listed with the reason; new code that turns out to be restart-needing
// when the plugin is enabled is unloaded again and pending as well.
//
// A compiled-in plugin's two instances share one definition: its Load runs
// for the new instance before the old instance's Unload, so a compiled-in
// plugin that keeps state in package variables between Load and Unload
// should not be reloaded (its code cannot change without a new binary
// anyway).
//
// Reload fails with a *LifecycleError of phase reload for an unknown plugin,
// one that no origin provides any more ([ErrGone]; [Manager.Rescan] removes
// it) and one whose origin fails to scan.
func (m *Manager) Reload(ctx context.Context, id string) (Change, error) {
	var ch Change
	err := m.run(ctx, func() (err error) {
		ch, err = m.reloadOp(ctx, id)
		return err
	})
	return ch, err
}

func (m *Manager) reloadOp(ctx context.Context, id string) (Change, error) {
	ch := Change{Plugin: id, Action: "reload"}
	r := m.get(id)
	if r == nil {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseReload, Err: ErrUnknownPlugin}
	}
	cfg := m.readConfig()
	m.hooks.SetOrderOverrides(cfg.sortingOrder)
	sc := m.scan(ctx)
	if sc.failed[r.originIndex] {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseReload, Err: fmt.Errorf("its origin %s could not be scanned: %w", r.origin, sc.err)}
	}
	f, ok := sc.first(id)
	if !ok {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseReload, Err: ErrGone}
	}
	m.mu.Lock()
	r.shadowed = sc.shadows[id]
	m.mu.Unlock()
	return m.reloadTo(ctx, r, f, cfg)
}

// How a scanned candidate compares with what a record has.
type comparison int

const (
	unchanged comparison = iota // the same as the latest scan found
	changed                     // changed since the latest scan
	reverted                    // back to the loaded code after a change that was not taken up
)

// compare compares f with the candidate the previous scan found for r.
func (m *Manager) compare(r *record, f found) comparison {
	m.mu.RLock()
	defer m.mu.RUnlock()
	current := found{cand: &r.cand, origin: r.origin, originIndex: r.originIndex}
	if r.change != nil {
		if !differs(current, f) {
			return reverted
		}
		if !differs(r.change.next, f) {
			return unchanged
		}
		return changed
	}
	if differs(current, f) {
		return changed
	}
	return unchanged
}

// differs reports whether two scans found different code: another origin,
// another location, or other non-empty digests.
func differs(a, b found) bool {
	return a.originIndex != b.originIndex || a.cand.Location != b.cand.Location ||
		(a.cand.Digest != "" && b.cand.Digest != "" && a.cand.Digest != b.cand.Digest)
}

// revert forgets a change that was not taken up (a pending reload, or code
// that did not load), the origin being back to the loaded code.
func (m *Manager) revert(r *record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.change != nil && r.lastErr == r.change.err {
		r.lastErr = nil
	}
	r.change = nil
	m.log.Info("plugin code back to the loaded version", "plugin", r.id)
}

// reloadTo reconciles r with f, its candidate as scanned now; see Reload.
func (m *Manager) reloadTo(ctx context.Context, r *record, f found, cfg pluginConfig) (Change, error) {
	ch := Change{Plugin: r.id, Action: "reload"}
	if !r.loaded() {
		m.refresh(r, f, cfg)
		ch.Applied = true
		m.mu.RLock()
		start := m.started && !m.held[r.id]
		m.mu.RUnlock()
		if start {
			return ch, m.startLate(ctx, r)
		}
		return ch, nil
	}

	m.mu.RLock()
	g := m.evaluateGates(&record{id: r.id, cand: *f.cand}, cfg)
	enabled := r.state == StateEnabled
	restart := r.restartNeeding()
	m.mu.RUnlock()

	if err := unusable(*f.cand); err != nil {
		le := &LifecycleError{Plugin: r.id, Phase: PhaseDiscover, Err: err}
		m.keep(r, f, le, fmt.Sprintf("its changed code cannot be used (%s)", g.reason()))
		return ch, le
	}
	if enabled && restart {
		m.pend(r, f, "the loaded code needs a restart")
		ch.Pending, ch.NeedsRestart = true, true
		return ch, nil
	}
	if g.blocklisted || g.incompatible || g.safeModeVictim || f.cand.Disabled {
		// Policy wins over running code: take the old code down.
		err := m.unload(ctx, r)
		m.refresh(r, f, cfg)
		if err != nil {
			m.mu.Lock()
			r.lastErr = err
			m.mu.Unlock()
		}
		m.log.Info("plugin unloaded: a gate refuses its changed code", "plugin", r.id, "reason", g.reason())
		ch.Applied = true
		return ch, err
	}

	c, err := m.loadCode(ctx, r, f.cand, m.isolated(f.originIndex))
	if err != nil {
		var le *LifecycleError
		phase := PhaseLoad
		if errors.As(err, &le) {
			phase = le.Phase
		}
		m.keep(r, f, err, fmt.Sprintf("its changed code failed to load (%s)", phase))
		return ch, err
	}
	if enabled && len(c.restart) > 0 {
		if err := m.unloadCode(r, c); err != nil {
			m.log.Warn("changed code needing a restart did not unload cleanly", "plugin", r.id, "error", err)
		}
		m.pend(r, f, "the changed code needs a restart")
		ch.Pending, ch.NeedsRestart = true, true
		return ch, nil
	}
	return m.swap(ctx, r, f, c, g, ch)
}

// unusable says why a candidate's code cannot be loaded at all, or nil.
func unusable(c tier.Candidate) error {
	switch {
	case c.Invalid != nil:
		return c.Invalid
	case c.NotAPlugin:
		return errNoDefinition
	case c.Load == nil:
		return ErrNotLoaded
	}
	return nil
}

var errNoDefinition = errors.New("no plugin definition")

// keep records changed code that could not replace the loaded code: the
// listing shows err and reason, and the next scan tries it only if it
// changes again.
func (m *Manager) keep(r *record, f found, err error, reason string) {
	m.mu.Lock()
	r.change = &change{next: f, err: err, reason: reason + "; the loaded version keeps running"}
	r.lastErr = err
	m.mu.Unlock()
	m.log.Error("changed plugin code not taken up; the loaded version keeps running", "plugin", r.id, "error", err)
}

// pend records changed code of an enabled restart-needing plugin: it runs
// after a restart.
func (m *Manager) pend(r *record, f found, why string) {
	m.mu.Lock()
	r.change = &change{next: f}
	m.mu.Unlock()
	m.log.Info("plugin code changed; the new code runs after a restart", "plugin", r.id, "why", why)
}

// refresh makes f the candidate of r, which is not loaded, and gates it
// afresh.
func (m *Manager) refresh(r *record, f found, cfg pluginConfig) {
	m.mu.Lock()
	r.cand, r.origin, r.originIndex = *f.cand, f.origin, f.originIndex
	r.gate = m.evaluateGates(r, cfg)
	r.change = nil
	r.lastErr = nil
	if f.cand.Invalid != nil {
		r.lastErr = lifecycleErr(r.id, PhaseDiscover, f.cand.Invalid)
	}
	r.restartReasons, r.reloadNeeding = nil, false
	m.mu.Unlock()
	m.warnings(r.id, f.cand)
}

// swap replaces r's loaded code with c, loaded from f and gated g: see
// Reload.
func (m *Manager) swap(ctx context.Context, r *record, f found, c *code, g gateResult, ch Change) (Change, error) {
	m.mu.Lock()
	enabled := r.state == StateEnabled
	old := m.code(r)
	was := previous{cand: r.cand, origin: r.origin, originIndex: r.originIndex, gate: r.gate}
	m.queueInfo(Loaded, r.id, candidateInfo(r.id, *f.cand))
	m.mu.Unlock()
	var disableErr error
	if enabled {
		disableErr = m.disable(ctx, r)
	}
	m.mu.Lock()
	r.adopt(c)
	r.cand, r.origin, r.originIndex, r.gate = *f.cand, f.origin, f.originIndex, g
	r.change = nil
	started := m.started
	m.mu.Unlock()
	m.warnings(r.id, f.cand)

	// A plugin whose enable had failed, and that nothing keeps from running
	// now, runs its new code.
	enable := enabled || (started && r.state == StateDisabled && g.ok() && !r.restartNeeding())
	if enable {
		if err := m.enable(ctx, r); err != nil {
			if enabled {
				return m.rollBack(ctx, r, f, c, old, was, ch, err, disableErr)
			}
			// It was not running: it now fails with its new code.
		}
	}

	unloadErr := m.unloadCode(r, old)
	m.mu.Lock()
	m.queueInfo(Unloaded, r.id, candidateInfo(r.id, was.cand))
	if !enable {
		r.lastErr = nil // an error of the old code
	}
	if unloadErr != nil {
		r.lastErr = unloadErr
	}
	m.mu.Unlock()
	m.log.Info("plugin reloaded", "plugin", r.id, "from", was.cand.Metadata.Version, "to", f.cand.Metadata.Version)
	ch.Applied = true
	if enabled && (old.reload || c.reload) {
		m.markReload(r, &ch)
	}
	return ch, errors.Join(disableErr, unloadErr)
}

// previous is what a record had before a swap, besides its code.
type previous struct {
	cand        tier.Candidate
	origin      string
	originIndex int
	gate        gateResult
}

// rollBack undoes a swap whose new code failed to enable (enableErr): the
// new code is unloaded and the old code, only disabled, enabled again.
func (m *Manager) rollBack(ctx context.Context, r *record, f found, c, old *code, was previous, ch Change, enableErr, disableErr error) (Change, error) {
	unloadErr := m.unloadCode(r, c)
	m.mu.Lock()
	m.queue(Unloaded, r)
	r.adopt(old)
	r.cand, r.origin, r.originIndex, r.gate = was.cand, was.origin, was.originIndex, was.gate
	m.mu.Unlock()
	againErr := m.enable(ctx, r)
	phase := PhaseEnable
	var le *LifecycleError
	if errors.As(enableErr, &le) {
		phase = le.Phase
	}
	m.keep(r, f, enableErr, fmt.Sprintf("its changed code failed to enable (%s)", phase))
	if againErr != nil {
		m.log.Error("plugin could not be enabled again after its changed code failed", "plugin", r.id, "error", againErr)
	}
	return ch, errors.Join(enableErr, disableErr, unloadErr, againErr)
}

// startLate does for a plugin found while the manager runs what Start does:
// it loads it if no gate refuses it, then enables it, unless it needs a
// restart for that (it is then listed as pending_install).
func (m *Manager) startLate(ctx context.Context, r *record) error {
	m.mu.RLock()
	ok := r.gate.ok()
	m.mu.RUnlock()
	if !ok {
		return nil
	}
	if err := m.load(ctx, r); err != nil {
		return err
	}
	if !r.loaded() {
		return nil // its check returned false
	}
	if r.restartNeeding() {
		m.mu.Lock()
		r.pending = PendingInstall
		m.mu.Unlock()
		m.log.Info("new plugin loaded; it is enabled after a restart", "plugin", r.id, "why", r.restartReasons)
		return nil
	}
	return m.enable(ctx, r)
}

// remove disables and unloads a plugin that no origin provides any more and
// drops it from the listing.
func (m *Manager) remove(ctx context.Context, r *record) error {
	err := m.unload(ctx, r)
	m.forget(r.id)
	m.log.Info("plugin removed: no origin provides it any more", "plugin", r.id)
	return err
}
