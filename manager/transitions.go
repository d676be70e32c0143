package manager

import (
	"sort"

	"github.com/tentacle-go/tentacle"
)

// TransitionKind is the kind of a [Transition].
type TransitionKind int

// The transitions subscribers are told of, after they happened.
const (
	Loaded TransitionKind = iota + 1
	Enabled
	Disabled
	Unloaded
)

func (k TransitionKind) String() string {
	switch k {
	case Loaded:
		return "loaded"
	case Enabled:
		return "enabled"
	case Disabled:
		return "disabled"
	case Unloaded:
		return "unloaded"
	}
	return "unknown"
}

// Transition tells a subscriber that a plugin changed state. (The word
// event is kept for the host's event bus: a host that has one, such as the
// tentacle server, publishes transitions on it as events of its own.)
type Transition struct {
	Kind   TransitionKind
	Plugin string
	Info   tentacle.PluginInfo
}

// Subscribe registers fn to be called for every transition, in the order
// the transitions happened, after the operation that caused them has
// finished (so fn may call the manager, lifecycle methods included).
// Subscribers are called in the order they subscribed; a panic in one is
// recovered and logged. The returned function unsubscribes.
func (m *Manager) Subscribe(fn func(Transition)) (unsubscribe func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.nextSub
	m.nextSub++
	m.subs[id] = fn
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.subs, id)
	}
}

// queue records a transition of the running operation; mu must be held.
func (m *Manager) queue(kind TransitionKind, r *record) {
	m.transitions = append(m.transitions, Transition{Kind: kind, Plugin: r.id, Info: r.info()})
}

// queueInfo records a transition of plugin id with info, for code that is not
// (or no longer) the record's; mu must be held.
func (m *Manager) queueInfo(kind TransitionKind, id string, info tentacle.PluginInfo) {
	m.transitions = append(m.transitions, Transition{Kind: kind, Plugin: id, Info: info})
}

// takeTransitions returns and clears the queued transitions.
func (m *Manager) takeTransitions() []Transition {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.transitions
	m.transitions = nil
	return ts
}

// notify tells the subscribers of transitions; called without any lock
// held.
func (m *Manager) notify(transitions []Transition) {
	if len(transitions) == 0 {
		return
	}
	m.mu.RLock()
	ids := make([]int, 0, len(m.subs))
	for id := range m.subs {
		ids = append(ids, id)
	}
	subs := make([]func(Transition), 0, len(ids))
	sort.Ints(ids)
	for _, id := range ids {
		subs = append(subs, m.subs[id])
	}
	m.mu.RUnlock()
	for _, ev := range transitions {
		for _, fn := range subs {
			if err := guard(func() error { fn(ev); return nil }); err != nil {
				m.log.Error("transition subscriber panicked", "transition", ev.Kind.String(), "plugin", ev.Plugin, "error", err)
			}
		}
	}
}
