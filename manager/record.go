package manager

import (
	"context"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

// record is everything the manager knows of one plugin. Its fields are
// guarded by the manager's mu, except those under "the running operation"
// (touched only while the manager's op lock is held) and the atomics.
type record struct {
	// Where it was found.
	id          string
	cand        tier.Candidate // the candidate whose code is loaded (or would be)
	origin      string         // the name of the origin that provided cand
	originIndex int            // its index in Options.Origins
	shadowed    []Shadow

	// Its state (see state.go) and what keeps it from running.
	state       State
	pending     Pending
	gate        gateResult
	change      *change // changed code a scan found and could not take up; nil: none
	lastErr     error
	needsReload bool // toggled, and reload-needing: browser clients must reload

	// Its loaded code: zero while it is not loaded.
	inst           tier.Instance
	def            *tentacle.Definition
	mixins         map[reflect.Type]any
	restartReasons []string // why toggling it needs a restart
	reloadNeeding  bool     // toggling it needs browser clients to reload

	enabled enablement   // what the current enable registered
	crash   crashHistory // its code's crashes, for code that can crash on its own

	// The running operation's.
	logger *slog.Logger    // made on first use
	labels context.Context // carries the plugin's pprof goroutine label, made on first use

	faults    atomic.Int64
	lastFault atomic.Pointer[string]
}

// change is changed code that a scan found for a loaded plugin and that
// could not replace its loaded code: code that does not load (err says
// why, reason is the listing's), or code of an enabled restart-needing
// plugin, which waits for a restart (err nil: a pending reload).
type change struct {
	next   found
	err    error
	reason string
}

// enablement is what an enable registered, undone on disable.
type enablement struct {
	helpers map[string]any
	ctx     *tentacle.Context
	cancel  context.CancelFunc
	undo    []undoStep
	seq     uint64 // the enable's place among all enables, for a shutdown in reverse
}

// crashHistory is what the manager knows of the crashes of a plugin whose
// code can stop on its own (a process).
type crashHistory struct {
	recent    []time.Time // recent crashes, oldest first
	restarts  int         // restarts after crashes
	last      string      // the latest crash
	lastLines []string    // what the crashed code wrote last
	gaveUp    bool        // it crashed too often: down until an operator enables it
}

func (r *record) restartNeeding() bool { return len(r.restartReasons) > 0 }
