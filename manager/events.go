package manager

import (
	"sort"

	"github.com/tentacle-go/tentacle"
)

// EventKind is the kind of a lifecycle [Event].
type EventKind int

// The lifecycle events, fired after the transition they name.
const (
	EventLoaded EventKind = iota + 1
	EventEnabled
	EventDisabled
	EventUnloaded
)

func (k EventKind) String() string {
	switch k {
	case EventLoaded:
		return "loaded"
	case EventEnabled:
		return "enabled"
	case EventDisabled:
		return "disabled"
	case EventUnloaded:
		return "unloaded"
	}
	return "unknown"
}

// Event tells a subscriber that a plugin changed state.
type Event struct {
	Kind   EventKind
	Plugin string
	Info   tentacle.PluginInfo
}

// Subscribe registers fn to be called for every lifecycle event, in the order
// the transitions happened, after the operation that caused them has
// finished (so fn may call the manager, lifecycle methods included).
// Subscribers are called in the order they subscribed; a panic in one is
// recovered and logged. The returned function unsubscribes.
func (m *Manager) Subscribe(fn func(Event)) (unsubscribe func()) {
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

// queue records an event of the running operation; mu must be held.
func (m *Manager) queue(kind EventKind, r *record) {
	m.events = append(m.events, Event{Kind: kind, Plugin: r.id, Info: r.info()})
}

// queueInfo records an event of plugin id with info, for code that is not
// (or no longer) the record's; mu must be held.
func (m *Manager) queueInfo(kind EventKind, id string, info tentacle.PluginInfo) {
	m.events = append(m.events, Event{Kind: kind, Plugin: id, Info: info})
}

// takeEvents returns and clears the queued events.
func (m *Manager) takeEvents() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	ev := m.events
	m.events = nil
	return ev
}

// fire delivers events to the subscribers; called without any lock held.
func (m *Manager) fire(events []Event) {
	if len(events) == 0 {
		return
	}
	m.mu.RLock()
	ids := make([]int, 0, len(m.subs))
	for id := range m.subs {
		ids = append(ids, id)
	}
	subs := make([]func(Event), 0, len(ids))
	sort.Ints(ids)
	for _, id := range ids {
		subs = append(subs, m.subs[id])
	}
	m.mu.RUnlock()
	for _, ev := range events {
		for _, fn := range subs {
			if err := guard(func() error { fn(ev); return nil }); err != nil {
				m.log.Error("lifecycle subscriber panicked", "event", ev.Kind.String(), "plugin", ev.Plugin, "error", err)
			}
		}
	}
}
