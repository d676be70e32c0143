package manager

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/tentacle-go/tentacle/tier"
)

// Change reports what an operator's enable, disable, uninstall or reload
// did.
type Change struct {
	Plugin string `json:"plugin"`
	// Action is "enable", "disable", "uninstall" or "reload".
	Action string `json:"action"`
	// Persisted: the configuration changed (plugins._disabled).
	Persisted bool `json:"persisted"`
	// Applied: the plugin's state changed now.
	Applied bool `json:"applied"`
	// Pending: the change waits for a restart; NeedsRestart is then set too.
	Pending bool `json:"pending"`
	// Cancelled: the request cancelled a pending change the other way.
	Cancelled bool `json:"cancelled"`
	// NeedsRestart: a restart is needed for the change to take effect.
	NeedsRestart bool `json:"needs_restart"`
	// NeedsReload: browser clients must reload to see the change.
	NeedsReload bool `json:"needs_reload"`
}

// Enable enables plugin id the way an operator does: it removes id from
// plugins._disabled and saves the configuration, then
//   - before Start, does nothing else (Start will enable it);
//   - cancels a pending disable, if there is one;
//   - loads the plugin if it was not loaded (a plugin disabled at startup
//     is enabled without a restart unless it is restart-needing);
//   - records a pending enable for a restart-needing plugin;
//   - otherwise enables it now, transactionally.
//
// It fails for an unknown or hidden bundled plugin and for one that a gate
// other than the disabled list refuses (blocklisted, incompatible, not a
// plugin), changing nothing, except that a plugin that can never run (not a
// plugin, unreadable) is taken out of plugins._disabled, where an older
// version may have put it (Change.Persisted). A safe mode victim is
// recorded as pending.
func (m *Manager) Enable(ctx context.Context, id string) (Change, error) {
	var ch Change
	err := m.run(ctx, func() (err error) {
		ch, err = m.enableOp(ctx, id)
		return err
	})
	return ch, err
}

func (m *Manager) enableOp(ctx context.Context, id string) (Change, error) {
	ch := Change{Plugin: id, Action: "enable"}
	r := m.get(id)
	if err := m.toggleable(r, id, PhaseEnable); err != nil {
		return ch, err
	}
	m.mu.RLock()
	g := r.gate
	m.mu.RUnlock()
	if reason, refused := g.hard(); refused {
		if _, never := neverRuns(r.cand); never {
			// Nothing else could ever take it out of plugins._disabled.
			changed, err := m.persistDisabled(id, false)
			if err != nil {
				return ch, lifecycleErr(id, PhaseEnable, err)
			}
			if changed {
				ch.Persisted = true
				reason += " (removed from plugins._disabled)"
				m.regate(r)
			}
		}
		return ch, &LifecycleError{Plugin: id, Phase: PhaseGate, Err: fmt.Errorf("%w: %s", ErrGated, reason)}
	}
	switch {
	case r.cand.Disabled:
		return ch, &LifecycleError{Plugin: id, Phase: PhaseGate, Err: fmt.Errorf("%w: disabled by its name (rename it without the _disabled suffix)", ErrGated)}
	}
	changed, err := m.persistDisabled(id, false)
	if err != nil {
		return ch, lifecycleErr(id, PhaseEnable, err)
	}
	ch.Persisted = changed
	m.mu.Lock()
	m.released[id] = true                       // an operator's enable lifts a quarantine,
	delete(m.held, id)                          // lets a plugin found while running start,
	delete(m.hungs, id)                         // calls a hung plugin's code again,
	r.crash.recent, r.crash.gaveUp = nil, false // and gives a crashed plugin a new start
	m.mu.Unlock()
	m.regate(r)
	m.mu.Lock()
	started := m.started
	m.toggled(r, &ch, onToggle[r.pending].enable)
	if !ch.Cancelled && !ch.Pending && g.safeModeVictim && started {
		m.waitRestart(r, &ch, PendingEnable)
	}
	state := r.state
	m.mu.Unlock()
	if ch.Cancelled || ch.Pending || !started || state == StateEnabled {
		return ch, nil
	}
	if !r.loaded() {
		// A plugin that failed its check at startup gets another chance.
		m.mu.Lock()
		r.gate = m.evaluateGates(r, m.readConfig())
		m.mu.Unlock()
		if err := m.load(ctx, r); err != nil {
			return ch, err
		}
		m.mu.RLock()
		g := r.gate
		m.mu.RUnlock()
		if !g.ok() {
			return ch, &LifecycleError{Plugin: id, Phase: PhaseGate, Err: fmt.Errorf("%w: %s", ErrGated, g.reason())}
		}
	}
	if r.restartNeeding() {
		m.mu.Lock()
		m.waitRestart(r, &ch, PendingEnable)
		m.mu.Unlock()
		return ch, nil
	}
	if err := m.enable(ctx, r); err != nil {
		if errors.Is(err, ErrHung) && ch.Persisted {
			// An enable that hung must not run the plugin at the next start
			// as if it had worked: it goes back into plugins._disabled.
			if _, perr := m.persistDisabled(id, true); perr != nil {
				m.log.Error("could not put a plugin whose enable hung back into plugins._disabled", "plugin", id, "error", perr)
			} else {
				ch.Persisted = false
			}
		}
		return ch, err
	}
	ch.Applied = true
	m.markReload(r, &ch)
	return ch, nil
}

// Disable disables plugin id the way an operator does: it adds id to
// plugins._disabled and saves the configuration, then cancels a pending
// enable, records a pending disable for a restart-needing plugin, or
// disables it now. Before Start it only changes the configuration.
//
// It fails for an unknown or hidden bundled plugin and, with phase gate,
// for one that can never run (not a plugin, unreadable): its enable would
// be refused, so it would stay in plugins._disabled for good.
func (m *Manager) Disable(ctx context.Context, id string) (Change, error) {
	var ch Change
	err := m.run(ctx, func() (err error) {
		ch, err = m.disableOp(ctx, id)
		return err
	})
	return ch, err
}

func (m *Manager) disableOp(ctx context.Context, id string) (Change, error) {
	ch := Change{Plugin: id, Action: "disable"}
	r := m.get(id)
	if err := m.toggleable(r, id, PhaseDisable); err != nil {
		return ch, err
	}
	if reason, never := neverRuns(r.cand); never {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseGate, Err: fmt.Errorf("%w: it can never run: %s", ErrNotToggleable, reason)}
	}
	changed, err := m.persistDisabled(id, true)
	if err != nil {
		return ch, lifecycleErr(id, PhaseDisable, err)
	}
	ch.Persisted = changed
	m.mu.Lock()
	started := m.started
	m.toggled(r, &ch, onToggle[r.pending].disable)
	if !ch.Cancelled && !ch.Pending && r.state == StateEnabled && started && r.restartNeeding() {
		m.waitRestart(r, &ch, PendingDisable)
	}
	state := r.state
	m.mu.Unlock()
	if ch.Cancelled || ch.Pending || !started || state != StateEnabled {
		m.regate(r)
		return ch, nil
	}
	_, unloads := r.inst.(tier.UnloadsWhenDisabled)
	err = m.disable(ctx, r)
	ch.Applied = true
	m.markReload(r, &ch)
	if unloads {
		// Nothing of it keeps running: listed as a plugin disabled at start.
		err = errors.Join(err, m.unload(ctx, r))
		m.mu.Lock()
		m.setState(r, StateFound)
		m.mu.Unlock()
	}
	m.regate(r)
	return ch, err
}

// toggled makes p r's pending change after an operator's toggle (from the
// onToggle table) and says in ch what that did; m.mu must be held.
func (m *Manager) toggled(r *record, ch *Change, p Pending) {
	before := r.pending
	r.pending = p
	switch {
	case before != PendingNone && p == PendingNone:
		ch.Cancelled = true
	case p != PendingNone:
		ch.Pending, ch.NeedsRestart = true, true
	}
}

// waitRestart records p as r's pending change, which waits for a restart; m.mu
// must be held.
func (m *Manager) waitRestart(r *record, ch *Change, p Pending) {
	r.pending = p
	ch.Pending, ch.NeedsRestart = true, true
}

// toggleable refuses unknown and hidden bundled plugins.
func (m *Manager) toggleable(r *record, id string, phase Phase) error {
	if r == nil {
		return &LifecycleError{Plugin: id, Phase: phase, Err: ErrUnknownPlugin}
	}
	if r.cand.Bundled && r.cand.Metadata.Hidden {
		return &LifecycleError{Plugin: id, Phase: phase, Err: fmt.Errorf("%w: hidden bundled plugin", ErrNotToggleable)}
	}
	return nil
}

func (m *Manager) markReload(r *record, ch *Change) {
	if !r.reloadNeeding {
		return
	}
	m.mu.Lock()
	r.needsReload = true
	m.mu.Unlock()
	ch.NeedsReload = true
}

// regate re-evaluates a plugin's gates after a configuration change, keeping
// what only loading can tell (a failed check).
func (m *Manager) regate(r *record) {
	cfg := m.readConfig()
	m.mu.Lock()
	defer m.mu.Unlock()
	failed := r.gate.checkFailed
	r.gate = m.evaluateGates(r, cfg)
	if failed {
		r.gate.refuse(&r.gate.checkFailed, false, reasonCheck)
	}
}

// persistDisabled adds id to (or removes it from) plugins._disabled and saves
// the configuration. It reports whether the list changed. A read-only
// configuration (settings.ErrReadOnly: config.yaml did not parse) is an
// error even when the list seems right: its real list is unknown, so the
// toggle could not outlast this run and must not be reported as made or
// pending.
func (m *Manager) persistDisabled(id string, disabled bool) (bool, error) {
	if err := m.settings.Writable(); err != nil {
		return false, fmt.Errorf("record in plugins._disabled: %w", err)
	}
	current := stringSet(m.settings.Get("plugins._disabled"))
	if current[id] == disabled {
		return false, nil
	}
	if disabled {
		current[id] = true
	} else {
		delete(current, id)
	}
	list := make([]any, 0, len(current))
	ids := make([]string, 0, len(current))
	for s := range current {
		ids = append(ids, s)
	}
	sort.Strings(ids)
	for _, s := range ids {
		list = append(list, s)
	}
	prev, hadPrev := m.settings.Lookup("plugins._disabled")
	set := func(v []any) error {
		if len(v) == 0 {
			return m.settings.Remove("plugins._disabled")
		}
		return m.settings.Set("plugins._disabled", v)
	}
	if err := set(list); err != nil {
		return false, fmt.Errorf("record in plugins._disabled: %w", err)
	}
	if err := m.settings.Save(); err != nil {
		// Keep memory and file in agreement: undo the change.
		old, _ := prev.([]any)
		if !hadPrev {
			old = nil
		}
		if rerr := set(old); rerr != nil {
			m.log.Error("could not undo an unsaved change to plugins._disabled", "error", rerr)
		}
		return false, fmt.Errorf("save configuration: %w", err)
	}
	return true, nil
}
