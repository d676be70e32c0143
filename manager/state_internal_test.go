package manager

import (
	"errors"
	"testing"
)

// TestStateTransitions checks the lifecycle's table: every move the
// manager makes is one of these, and no other is allowed.
func TestStateTransitions(t *testing.T) {
	want := map[[2]State]bool{
		{StateFound, StateLoaded}:      true,
		{StateLoaded, StateEnabled}:    true,
		{StateLoaded, StateDisabled}:   true, // an enable that failed
		{StateLoaded, StateUnloaded}:   true,
		{StateEnabled, StateDisabled}:  true,
		{StateDisabled, StateEnabled}:  true,
		{StateDisabled, StateUnloaded}: true,
		{StateUnloaded, StateLoaded}:   true,
		{StateUnloaded, StateFound}:    true,
		{StateDisabled, StateDisabled}: true,  // staying is no move
		{StateFound, StateEnabled}:     false, // never enabled without its code
		{StateFound, StateDisabled}:    false,
		{StateFound, StateUnloaded}:    false,
		{StateEnabled, StateUnloaded}:  false, // disabled first
		{StateEnabled, StateFound}:     false,
		{StateEnabled, StateLoaded}:    false,
		{StateDisabled, StateFound}:    false, // unloaded first
		{StateDisabled, StateLoaded}:   false,
		{StateLoaded, StateFound}:      false,
		{StateUnloaded, StateEnabled}:  false,
		{StateUnloaded, StateDisabled}: false,
		{State(9), StateFound}:         false,
		{StateLoaded, State(9)}:        false,
	}
	for move, ok := range want {
		if got := allowed(move[0], move[1]); got != ok {
			t.Errorf("allowed(%s, %s) = %v, want %v", move[0], move[1], got, ok)
		}
	}
}

// TestSetStateCountsBugs: a move the table does not allow is made, logged
// and counted, so that tests see it and a host keeps running.
func TestSetStateCountsBugs(t *testing.T) {
	m, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &record{id: "p"}
	m.setState(r, StateLoaded)
	m.setState(r, StateEnabled)
	if n := m.StateErrors(); n != 0 {
		t.Fatalf("StateErrors after allowed moves = %d", n)
	}
	m.setState(r, StateFound)
	if n := m.StateErrors(); n != 1 || r.state != StateFound {
		t.Errorf("after enabled -> found: StateErrors %d, state %s; want 1, found", n, r.state)
	}
}

// TestToggleTable: an operator's toggle the other way cancels a pending
// enable, disable or install; the same way keeps it; an uninstall stays.
func TestToggleTable(t *testing.T) {
	tests := []struct {
		before                   Pending
		enable, disable          Pending
		enableCancels, disCancel bool
	}{
		{PendingNone, PendingNone, PendingNone, false, false},
		{PendingEnable, PendingEnable, PendingNone, false, true},
		{PendingDisable, PendingNone, PendingDisable, true, false},
		{PendingInstall, PendingInstall, PendingNone, false, true},
		{PendingUninstall, PendingUninstall, PendingUninstall, false, false},
	}
	m, _ := New(Options{})
	for _, tt := range tests {
		for _, c := range []struct {
			to      Pending
			want    Pending
			cancels bool
		}{{onToggle[tt.before].enable, tt.enable, tt.enableCancels}, {onToggle[tt.before].disable, tt.disable, tt.disCancel}} {
			if c.to != c.want {
				t.Errorf("from %s: %s, want %s", tt.before, c.to, c.want)
			}
			r := &record{pending: tt.before}
			var ch Change
			m.toggled(r, &ch, c.to)
			if ch.Cancelled != c.cancels || ch.Pending != (c.to != PendingNone) || ch.NeedsRestart != ch.Pending || r.pending != c.to {
				t.Errorf("from %s to %s: change %+v, pending %s", tt.before, c.to, ch, r.pending)
			}
		}
	}
}

// TestFlags: a listing's flags come from the state, the pending change and
// the changed code alone.
func TestFlags(t *testing.T) {
	m, _ := New(Options{})
	tests := []struct {
		name    string
		r       *record
		started bool
		want    flags
	}{
		{"found", &record{state: StateFound}, true, flags{}},
		{"loaded before start: start would enable it", &record{state: StateLoaded}, false, flags{enabled: true, loaded: true}},
		{"loaded before start, gated", &record{state: StateLoaded, gate: gateResult{forcedDisabled: true}}, false, flags{loaded: true}},
		{"loaded while running", &record{state: StateLoaded}, true, flags{loaded: true}},
		{"enabled", &record{state: StateEnabled}, true, flags{enabled: true, loaded: true}},
		{"pending disable", &record{state: StateEnabled, pending: PendingDisable}, true,
			flags{enabled: true, loaded: true, pendingDisable: true, needsRestart: true}},
		{"pending install", &record{state: StateLoaded, pending: PendingInstall}, true,
			flags{loaded: true, pendingInstall: true, needsRestart: true}},
		{"pending reload", &record{state: StateEnabled, change: &change{}}, true,
			flags{enabled: true, loaded: true, pendingReload: true, needsRestart: true}},
		{"changed code that did not load", &record{state: StateEnabled, change: &change{err: errors.New("x")}}, true,
			flags{enabled: true, loaded: true}},
		{"unloaded, pending uninstall", &record{state: StateUnloaded, pending: PendingUninstall}, true,
			flags{pendingUninstall: true, needsRestart: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.started = tt.started
			if got := m.flags(tt.r); got != tt.want {
				t.Errorf("flags = %+v, want %+v", got, tt.want)
			}
		})
	}
}
