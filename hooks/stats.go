package hooks

import (
	"errors"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/internal/wire"
)

// Stats are the counts of one plugin's handler of one hook: calls, calls a
// filter skipped, failures and, for a handler registered with
// [Registration.Timed] (the plugins folder and installed packages), the
// time its calls took. The registry keeps them from the handler's first
// registration for the registry's lifetime, across disable and enable, and
// lists them with [Registry.Stats]; each [Handler] carries its own, so the
// hot path counts without a lookup.
//
// A dispatch loop that calls the handlers of [Hook.Handlers] itself counts
// with [Stats.Begin] and [Stats.End] around the call and [Stats.Skip] for
// a handler its filter leaves out; [Hook.Call] and [Hook.CallUntil] count
// for their callers, and the failures reported through [Hook.Report] or
// recovered by Call count as panics, errors or overruns.
//
// The calls and skips of an untimed handler are plain counts that may fall
// short when the same handler runs on two cores at the same instant (see
// counter.go); everything else is exact. All methods are safe on a nil
// *Stats, which counts nothing.
type Stats struct {
	calls, skips             counter
	timed                    bool
	plugin, hook             string       // for the profile labels
	labels                   labelPointer // a timed handler's profile labels
	timedCalls               atomic.Uint64
	panics, errors, overruns atomic.Uint64
	sum                      atomic.Int64 // nanoseconds, timed calls only
	buckets                  [len(LatencyBounds) + 1]atomic.Uint64
}

// LatencyBounds are the upper bounds of the buckets of [HandlerStats.Latency],
// from 1 µs to 10 s: a handler in the plugins folder takes about a
// microsecond, one in a process tens of microseconds, one that overruns
// its deadline seconds.
var LatencyBounds = [...]time.Duration{
	time.Microsecond, 2500 * time.Nanosecond, 5 * time.Microsecond,
	10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// epoch is the origin of the monotonic times Begin returns.
var epoch = time.Now()

// Begin counts a call of the handler and returns what [Stats.End] needs:
// for a timed handler the time the call starts, else 0, so that a
// compiled-in handler's call costs one plain increment. It is BeginOn with
// a nil *Loop: the call is not labelled.
func (s *Stats) Begin() time.Duration {
	if s == nil {
		return 0
	}
	if s.timed {
		return s.begin(nil)
	}
	s.calls.inc()
	return 0
}

// BeginOn is [Stats.Begin] for a call on loop l's goroutine: a timed
// handler's call runs under the handler's profile labels (see [Loop]) until
// [Stats.EndOn]. A compiled-in handler's call is only counted, as by Begin.
func (s *Stats) BeginOn(l *Loop) time.Duration {
	if s == nil {
		return 0
	}
	if s.timed {
		return s.begin(l)
	}
	s.calls.inc()
	return 0
}

// begin is Begin of a timed handler, kept out of line so that Begin
// inlines into the dispatch loops.
//
//go:noinline
func (s *Stats) begin(l *Loop) time.Duration {
	s.timedCalls.Add(1)
	if l != nil {
		if ctx := s.labelsOn(l); ctx != nil {
			pprof.SetGoroutineLabels(ctx)
		}
	}
	return time.Since(epoch) | 1 // never 0
}

// End records the time of a call that [Stats.Begin] started; a dispatch
// that recovers a failing call calls it too, so that a call that overran
// its deadline counts in the latency. It does nothing after the Begin of
// an untimed handler (start 0).
func (s *Stats) End(start time.Duration) {
	if start != 0 {
		s.end(start)
	}
}

// EndOn is [Stats.End] of a call that [Stats.BeginOn] started on l: the
// goroutine is back under l's labels. A dispatch that recovers a failing
// call calls it too, or [Loop.Enter].
func (s *Stats) EndOn(l *Loop, start time.Duration) {
	if start != 0 {
		s.endOn(l, start)
	}
}

func (s *Stats) endOn(l *Loop, start time.Duration) {
	s.end(start)
	l.Enter()
}

func (s *Stats) end(start time.Duration) {
	d := time.Since(epoch) - start
	s.sum.Add(int64(d))
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	s.buckets[i].Add(1)
}

// Skip counts a call that the handler's filter left out.
func (s *Stats) Skip() {
	if s != nil {
		s.skips.inc()
	}
}

// Fail counts a failure of a call of the handler, recovered by the host:
// a call into a plugin's process that overran its deadline (a failure
// with a Timeout method that says so, as net.Error has) is an overrun, one
// that failed otherwise (the process was gone) an error, anything else a
// panic of the plugin's code.
func (s *Stats) Fail(recovered any) {
	if s == nil || recovered == nil {
		return
	}
	var ce *wire.CallError
	err, _ := recovered.(error)
	if err == nil || !errors.As(err, &ce) {
		s.panics.Add(1)
		return
	}
	var t interface{ Timeout() bool }
	if errors.As(ce.Err, &t) && t.Timeout() {
		s.overruns.Add(1)
		return
	}
	s.errors.Add(1)
}

// HandlerStats is a copy of one handler's [Stats].
type HandlerStats struct {
	Plugin, Hook string
	// Calls counts the calls that ran the handler, Skipped the calls its
	// filter left out.
	Calls, Skipped uint64
	// Panics, Errors and Overruns count the calls that failed: the
	// handler panicked; the call into its process failed; it overran its
	// deadline. They are also counted in Calls.
	Panics, Errors, Overruns uint64
	// Timed is set for a handler whose calls are timed: Latency[i] counts
	// the calls that took at most LatencyBounds[i] (the last, more), Sum
	// is their total time.
	Timed   bool
	Latency [len(LatencyBounds) + 1]uint64
	Sum     time.Duration
}

func (s *Stats) snapshot(plugin, hook string) HandlerStats {
	hs := HandlerStats{Plugin: plugin, Hook: hook, Calls: s.calls.load() + s.timedCalls.Load(),
		Skipped: s.skips.load(), Panics: s.panics.Load(), Errors: s.errors.Load(),
		Overruns: s.overruns.Load(), Timed: s.timed, Sum: time.Duration(s.sum.Load())}
	for i := range s.buckets {
		hs.Latency[i] = s.buckets[i].Load()
	}
	return hs
}
