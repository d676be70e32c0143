package manager

import "fmt"

// A plugin's state is two things, each moving only along the transitions
// of its table below:
//
//   - its lifecycle State: found, loaded, enabled, disabled, unloaded;
//   - the change that waits for the host's restart, its Pending: none, or
//     an enable, a disable, an install or an uninstall.
//
// Everything else the manager keeps of a plugin is a fact, not a state:
// why gates refuse it (gateResult), its last error, the changed code a scan
// found and could not take up (a change; a pending reload when it waits for
// a restart), its crash history. Listings derive their flags from these
// alone ([record.flags]).

// State is where a plugin is in its lifecycle.
type State int

// The states. A plugin is found when an origin lists it, loaded when its
// code is, enabled while it is registered with the host, disabled when it
// was loaded and is not enabled (a failed enable ends there too), and
// unloaded when its code was released.
const (
	StateFound State = iota
	StateLoaded
	StateEnabled
	StateDisabled
	StateUnloaded
)

var stateNames = [...]string{"found", "loaded", "enabled", "disabled", "unloaded"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// stateTransitions are the lifecycle's transitions: from each state, the
// states a plugin may move to.
var stateTransitions = [...][]State{
	StateFound: {
		StateLoaded, // load
	},
	StateLoaded: {
		StateEnabled,  // enable
		StateDisabled, // an enable that failed
		StateUnloaded, // unload (shutdown, rescan, reload, uninstall, crash)
	},
	StateEnabled: {
		StateDisabled, // disable
	},
	StateDisabled: {
		StateEnabled,  // enable again
		StateUnloaded, // unload
	},
	StateUnloaded: {
		StateLoaded, // loaded again: a restart after a crash, a reload
		StateFound,  // listed as found again: code that holds resources is unloaded when disabled
	},
}

// allowed reports whether a plugin may move from state from to state to;
// staying in a state (a disabled plugin whose enable failed stays
// disabled) is no move.
func allowed(from, to State) bool {
	if from == to {
		return true
	}
	if int(from) >= len(stateTransitions) {
		return false
	}
	for _, s := range stateTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// setState moves r to state to; m.mu must be held. A move the table does
// not allow is a bug of the manager: it is logged and counted
// ([Manager.StateErrors]), and made anyway, so that a host keeps running on
// a manager with a bug rather than stopping.
func (m *Manager) setState(r *record, to State) {
	if !allowed(r.state, to) {
		m.stateErrors.Add(1)
		m.log.Error("manager bug: a state change the lifecycle does not allow", "plugin", r.id, "from", r.state.String(), "to", to.String())
	}
	r.state = to
}

// StateErrors counts the state changes the lifecycle's table does not
// allow that the manager made anyway: always 0 unless the manager has a
// bug. Tests check it.
func (m *Manager) StateErrors() int64 { return m.stateErrors.Load() }

// Pending is a change to a plugin that waits for the host's restart.
type Pending int

// The pending changes.
const (
	// PendingNone: nothing waits.
	PendingNone Pending = iota
	// PendingEnable: an operator enabled a restart-needing plugin (or a
	// safe mode victim) while the host runs.
	PendingEnable
	// PendingDisable: an operator disabled a restart-needing plugin that
	// is enabled.
	PendingDisable
	// PendingInstall: a scan found a new plugin that needs a restart to
	// be enabled; it is loaded.
	PendingInstall
	// PendingUninstall: an operator uninstalled a restart-needing plugin
	// that is enabled: its files are gone, it runs until the restart.
	PendingUninstall
)

var pendingNames = [...]string{"none", "enable", "disable", "install", "uninstall"}

func (p Pending) String() string {
	if int(p) < len(pendingNames) {
		return pendingNames[p]
	}
	return fmt.Sprintf("Pending(%d)", int(p))
}

// onToggle is what an operator's enable and disable make of each pending
// change: a toggle the other way cancels a pending enable, disable or
// install; an uninstall stays. With nothing pending, the plugin decides
// (see enableOp and disableOp).
var onToggle = [...]struct{ enable, disable Pending }{
	PendingNone:      {PendingNone, PendingNone},
	PendingEnable:    {PendingEnable, PendingNone},
	PendingDisable:   {PendingNone, PendingDisable},
	PendingInstall:   {PendingInstall, PendingNone},
	PendingUninstall: {PendingUninstall, PendingUninstall},
}

// flags are what a listing says of a plugin's state.
type flags struct {
	enabled, loaded                                                 bool
	pendingEnable, pendingDisable, pendingInstall, pendingUninstall bool
	pendingReload, needsRestart                                     bool
}

// flags derives the listing's flags from r's state, pending change and
// changed code; m.mu must be held. Before Start (a command-line tool that
// looks at a base directory), enabled says whether Start would enable the
// plugin.
func (m *Manager) flags(r *record) flags {
	f := flags{
		loaded:           r.loaded(),
		pendingEnable:    r.pending == PendingEnable,
		pendingDisable:   r.pending == PendingDisable,
		pendingInstall:   r.pending == PendingInstall,
		pendingUninstall: r.pending == PendingUninstall,
		pendingReload:    r.change != nil && r.change.err == nil,
	}
	f.needsRestart = r.pending != PendingNone || f.pendingReload
	f.enabled = r.state == StateEnabled
	if !m.started {
		f.enabled = f.enabled || (r.state == StateLoaded && r.gate.ok())
	}
	return f
}

func (r *record) loaded() bool {
	return r.state == StateLoaded || r.state == StateEnabled || r.state == StateDisabled
}
