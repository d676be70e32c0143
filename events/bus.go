package events

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bus is the host's event bus. [Bus.Fire] hands an event to the queue of
// every subscriber whose patterns match its name and returns; each
// subscriber's goroutine takes its events from its queue one at a time. A
// slow, blocked or panicking handler therefore only delays its own events.
// A Bus is safe for concurrent use.
type Bus struct {
	log       *slog.Logger
	queueSize int
	onFault   func(subscriber string, ev Event, recovered any)
	onDrop    func(subscriber string, ev Event)
	now       func() time.Time

	// subs is the current subscribers sorted by name. It is replaced as a
	// whole on every change and never modified, so Fire reads it without
	// a lock.
	subs   atomic.Pointer[[]*Subscription]
	closed atomic.Bool

	mu      sync.Mutex      // serialises Subscribe, removals and Close
	closing []*Subscription // the subscribers Close drains
}

// New returns an open bus with no subscribers.
func New(opts Options) *Bus {
	b := &Bus{
		log:       opts.Logger,
		queueSize: opts.QueueSize,
		onFault:   opts.OnFault,
		onDrop:    opts.OnDrop,
		now:       opts.Now,
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.queueSize <= 0 {
		b.queueSize = DefaultQueueSize
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// Fire publishes the event name with payload to every subscriber with a
// matching pattern and returns at once: it never waits for a handler and
// never blocks. When a subscriber's queue is full, its oldest queued event
// is dropped to make room (see [Options.OnDrop]). The payload is shared, not
// copied: neither the caller nor the handlers may modify it afterwards.
//
// Events fired by one goroutine reach each subscriber in the order they were
// fired; events fired concurrently have no defined order, and two
// subscribers may see them in different orders.
//
// Fire reports whether the bus accepted the event. It is false once
// [Bus.Close] was called: then Fire does nothing, or, racing with Close,
// may have queued the event for some subscribers only. When Fire returns
// true, Close delivers the event to every matching subscriber that is not
// closed on its own, as it drains the queues.
func (b *Bus) Fire(name string, payload map[string]any) bool {
	if b.closed.Load() {
		return false
	}
	subs := b.subs.Load()
	if subs == nil { // none, or Close took them off after the check above
		return !b.closed.Load()
	}
	ev := Event{Name: name, Payload: payload}
	stamped, refused := false, false
	for _, s := range *subs {
		if !s.match.match(name) {
			continue
		}
		if !stamped { // read the clock only for an event someone wants
			ev.Time, stamped = b.now(), true
		}
		if !s.push(ev) {
			refused = true
		}
	}
	// A queue refuses events once its subscriber is closed, or once Close
	// sealed it, which Close does after setting closed: a Fire that raced
	// with Close and missed a subscriber sees closed here.
	return !refused || !b.closed.Load()
}

// Subscribe registers handler as the subscriber called name for the events
// whose names match any of patterns, and starts its goroutine. Names such as
// "plugin:hello" or "socket:3" identify the subscriber in [Stats], logs and
// [Options.OnFault]; they must be unique among the current subscribers (a
// closed subscriber's name can be reused at once).
//
// Patterns follow [path.Match]: '*' matches any run of characters but '/',
// '?' one character, '[...]' a class. The pattern "*" alone matches every
// event, and so does giving no pattern.
//
// The handler gets the subscriber's events one at a time, on the
// subscriber's own goroutine, in the order they were fired. A panic in it is
// recovered and reported to [Options.OnFault]; the subscriber goes on with
// its next event.
//
// Subscribe fails for an empty name, a nil handler, an empty or malformed
// pattern (the error wraps [path.ErrBadPattern]), a name in use, or a closed
// bus ([ErrClosed]).
func (b *Bus) Subscribe(name string, handler func(Event), patterns ...string) (*Subscription, error) {
	if name == "" {
		return nil, fmt.Errorf("subscribe: empty subscriber name")
	}
	if handler == nil {
		return nil, fmt.Errorf("subscribe %q: nil handler", name)
	}
	m, err := compile(patterns)
	if err != nil {
		return nil, fmt.Errorf("subscribe %q: %w", name, err)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Load() {
		return nil, fmt.Errorf("subscribe %q: %w", name, ErrClosed)
	}
	old := b.list()
	i, found := slices.BinarySearchFunc(old, name, byName)
	if found {
		return nil, fmt.Errorf("subscribe %q: a subscriber of that name exists", name)
	}
	s := newSubscription(b, name, handler, m)
	next := make([]*Subscription, 0, len(old)+1)
	next = append(next, old[:i]...)
	next = append(next, s)
	next = append(next, old[i:]...)
	b.subs.Store(&next)
	go s.run()
	return s, nil
}

// byName compares a subscriber with a name, for binary search.
func byName(s *Subscription, name string) int {
	return strings.Compare(s.name, name)
}

// list returns the current subscribers; the slice must not be modified.
func (b *Bus) list() []*Subscription {
	if p := b.subs.Load(); p != nil {
		return *p
	}
	return nil
}

// remove takes s off the list of subscribers, if it is on it.
func (b *Bus) remove(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.list()
	i, found := slices.BinarySearchFunc(old, s.name, byName)
	if !found || old[i] != s {
		return
	}
	if len(old) == 1 {
		b.subs.Store(nil)
		return
	}
	next := make([]*Subscription, 0, len(old)-1)
	next = append(next, old[:i]...)
	next = append(next, old[i+1:]...)
	b.subs.Store(&next)
}

// Stats returns the counters of every current subscriber, sorted by name.
// A closed bus has no subscribers.
func (b *Bus) Stats() []Stats {
	subs := b.list()
	out := make([]Stats, len(subs))
	for i, s := range subs {
		out[i] = s.Stats()
	}
	return out
}

// Close stops the bus accepting events and drains it: every subscriber gets
// the events already queued for it, until ctx is done. Then the events still
// queued are dropped, the subscribers' goroutines are told to stop, and
// Close returns ctx.Err(); a handler that is still running is abandoned
// (and logged) and its goroutine ends when it returns. Close returns nil
// when every subscriber finished.
//
// After Close, [Bus.Fire] returns false and [Bus.Subscribe] fails. Close is
// idempotent: calling it again waits, until its own ctx is done, for the
// subscribers of the first call to finish. Called from a handler, Close
// waits for that handler too, so it can only end with ctx.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed.Load() {
		b.closed.Store(true)
		b.closing = b.list()
		for _, s := range b.closing {
			s.seal()
		}
		b.subs.Store(nil)
	}
	subs := b.closing
	b.mu.Unlock()

	for _, s := range subs {
		select {
		case <-s.done:
			continue
		default:
		}
		select {
		case <-s.done:
		case <-ctx.Done():
			b.abandon(subs, ctx.Err())
			return ctx.Err()
		}
	}
	return nil
}

// abandon stops the subscribers that did not finish draining in time and
// logs each of them.
func (b *Bus) abandon(subs []*Subscription, err error) {
	for _, s := range subs {
		dropped := s.stop()
		select {
		case <-s.done:
			continue
		default:
		}
		if ev, busy := s.inFlight(); busy {
			b.log.Warn("event handler did not return in time; abandoning its goroutine",
				"subscriber", s.name, "event", ev, "dropped", dropped, "error", err)
		} else if dropped > 0 {
			b.log.Warn("events left undelivered", "subscriber", s.name, "dropped", dropped, "error", err)
		}
	}
}

// fault reports a handler's panic. A reflect.Value is unwrapped; a panic in
// OnFault is dropped. Without OnFault the panic is logged with its stack,
// which still holds the panicking frames as fault runs in a deferred call.
func (b *Bus) fault(subscriber string, ev Event, recovered any) {
	if rv, ok := recovered.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		recovered = rv.Interface()
	}
	if b.onFault == nil {
		b.log.Error("event handler panicked", "subscriber", subscriber, "event", ev.Name,
			"panic", recovered, "stack", string(debug.Stack()))
		return
	}
	defer func() { _ = recover() }()
	b.onFault(subscriber, ev, recovered)
}

// drop reports that ev was dropped from s's full queue: to OnDrop (a panic
// in it is dropped) and, when logIt, to the log.
func (b *Bus) drop(s *Subscription, ev Event, logIt bool) {
	if logIt {
		b.log.Warn("event subscriber falls behind; dropping its oldest events",
			"subscriber", s.name, "event", ev.Name, "dropped", s.dropped.Load(), "queue", b.queueSize)
	}
	if b.onDrop == nil {
		return
	}
	defer func() { _ = recover() }()
	b.onDrop(s.name, ev)
}
