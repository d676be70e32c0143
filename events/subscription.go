package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Subscription is one subscriber of a [Bus]: its patterns, its queue and the
// goroutine that delivers its events to its handler. It is safe for
// concurrent use.
type Subscription struct {
	bus     *Bus
	name    string
	handler func(Event)
	match   matcher

	signal chan struct{} // capacity 1: the queue went non-empty, or was sealed
	stopc  chan struct{} // closed by stop: deliver nothing more
	done   chan struct{} // closed when the goroutine returns

	mu         sync.Mutex
	queue      ring
	sealed     bool      // accepts no more events: draining or stopped
	stopped    bool      // delivers no more events; the queue is dropped
	busy       bool      // the handler is running
	handling   string    // name of the event the handler runs for, if busy
	dropLogged bool      // a drop was logged, at dropLogAt
	dropLogAt  time.Time // when the last drop was logged

	delivered, dropped, faults atomic.Uint64
}

// Stats are a subscriber's counters.
type Stats struct {
	// Subscriber is the subscriber's name.
	Subscriber string
	// Delivered counts the events the handler was called with and that
	// returned or panicked.
	Delivered uint64
	// Dropped counts the events that matched but will never be delivered:
	// dropped from a full queue, left in the queue when the subscription
	// or the bus was closed, or fired while it was being closed.
	Dropped uint64
	// Faults counts the handler's panics, which are among Delivered.
	Faults uint64
	// Queued is how many events wait in the queue, not counting the one
	// the handler is running for.
	Queued int
}

func newSubscription(b *Bus, name string, handler func(Event), m matcher) *Subscription {
	return &Subscription{
		bus:     b,
		name:    name,
		handler: handler,
		match:   m,
		signal:  make(chan struct{}, 1),
		stopc:   make(chan struct{}),
		done:    make(chan struct{}),
		queue:   ring{limit: b.queueSize},
	}
}

// Name returns the subscriber's name.
func (s *Subscription) Name() string { return s.name }

// Stats returns the subscriber's counters. They stay readable after Close.
func (s *Subscription) Stats() Stats {
	s.mu.Lock() // so that Queued and Dropped agree with each other
	defer s.mu.Unlock()
	return Stats{
		Subscriber: s.name,
		Delivered:  s.delivered.Load(),
		Dropped:    s.dropped.Load(),
		Faults:     s.faults.Load(),
		Queued:     s.queue.n,
	}
}

// Close stops delivery to this subscriber: it takes it off the bus, drops
// its queued events and waits for the handler to return from the event it
// is handling, if any, until ctx is done. If the handler did not return in
// time, Close logs it and returns ctx.Err(); the goroutine is abandoned and
// ends whenever the handler returns. Close returns nil otherwise.
//
// Close is idempotent: calling it again waits once more for the handler.
// Closing a subscription from its own handler must use a ctx with a
// deadline, since the handler cannot return while Close waits for it; the
// subscription is stopped all the same.
func (s *Subscription) Close(ctx context.Context) error {
	s.bus.remove(s)
	s.stop()
	select {
	case <-s.done:
		return nil
	default:
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		ev, _ := s.inFlight()
		s.bus.log.Warn("event handler did not return in time; abandoning its goroutine",
			"subscriber", s.name, "event", ev, "error", ctx.Err())
		return ctx.Err()
	}
}

// push queues ev, dropping the oldest queued event if the queue is full.
// It returns false, counting ev as dropped, when the subscription accepts no
// more events. It is called by Fire and must never block beyond the queue's
// mutex.
func (s *Subscription) push(ev Event) bool {
	s.mu.Lock()
	if s.sealed {
		s.mu.Unlock()
		s.dropped.Add(1)
		return false
	}
	wasEmpty := s.queue.n == 0
	old, full := s.queue.push(ev)
	logIt := false
	if full {
		s.dropped.Add(1)
		if !s.dropLogged || ev.Time.Sub(s.dropLogAt) >= time.Second {
			s.dropLogged, s.dropLogAt, logIt = true, ev.Time, true
		}
	}
	s.mu.Unlock()
	if wasEmpty {
		// The goroutine waits only after it found the queue empty, so a
		// push onto a non-empty queue needs no signal.
		s.wake()
	}
	if full {
		s.bus.drop(s, old, logIt)
	}
	return true
}

// wake signals the goroutine without blocking.
func (s *Subscription) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// seal makes the subscription accept no more events; the goroutine delivers
// those queued and returns. Bus.Close seals every subscriber.
func (s *Subscription) seal() {
	s.mu.Lock()
	s.sealed = true
	s.mu.Unlock()
	s.wake()
}

// stop makes the subscription deliver nothing more: it is sealed, its queue
// is dropped and its goroutine returns once the handler, if running,
// returns. It returns how many queued events were dropped, 0 when stopped
// before.
func (s *Subscription) stop() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return 0
	}
	s.sealed, s.stopped = true, true
	n := s.queue.reset()
	s.dropped.Add(uint64(n))
	close(s.stopc)
	return n
}

// inFlight returns the name of the event the handler is running for, with
// true, or false when the handler is not running.
func (s *Subscription) inFlight() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handling, s.busy
}

// run is the subscriber's goroutine: it delivers the queued events one at a
// time until the subscription is stopped, or sealed and empty.
func (s *Subscription) run() {
	defer close(s.done)
	for {
		ev, ok, quit := s.next()
		switch {
		case quit:
			return
		case ok:
			s.deliver(ev)
		default:
			select {
			case <-s.signal:
			case <-s.stopc:
				return
			}
		}
	}
}

// next pops the next event to deliver (ok), or tells the goroutine to wait
// for a signal (neither) or to return (quit).
func (s *Subscription) next() (ev Event, ok, quit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy, s.handling = false, ""
	if s.stopped {
		return Event{}, false, true
	}
	if ev, ok = s.queue.pop(); ok {
		s.busy, s.handling = true, ev.Name
		return ev, true, false
	}
	return Event{}, false, s.sealed
}

// deliver calls the handler with ev, recovering a panic. A handler that
// calls runtime.Goexit ends the goroutine: the subscription is stopped, so
// that its queue does not fill up in vain, and the exit is logged.
func (s *Subscription) deliver(ev Event) {
	returned := false
	defer func() {
		r := recover()
		if r != nil {
			s.faults.Add(1)
		}
		s.delivered.Add(1)
		switch {
		case r != nil:
			s.bus.fault(s.name, ev, r)
		case !returned:
			s.stop()
			s.bus.log.Error("event handler called runtime.Goexit; its subscriber gets no more events",
				"subscriber", s.name, "event", ev.Name)
		}
	}()
	s.handler(ev)
	returned = true
}
