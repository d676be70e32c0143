package transport

import (
	"runtime"
	"sync/atomic"
	"time"
)

// A side of a shared channel that waits for the other first spins (watches
// the other's number without sleeping), then sleeps on a futex. Spinning
// pays when the other side answers within it: the waiter sees the answer
// about a microsecond after it is posted, where a sleeper is woken through
// the scheduler, several microseconds later and more on a busy machine.
// Spinning that ends in a sleep anyway is processor time lost, and on a
// machine with few cores it takes a core from the side being waited for.
//
// So each side learns how long to spin from its recent waits (a spinner):
// it spins up to about twice its recent typical wait, capped at spinMax,
// and not at all while the recent waits were longer than spinMax (the
// plugin whose hook is called once per several others, a connection idle
// between bursts). Every probeEvery-th wait spins the whole of spinMax
// instead, so that a side that stopped spinning notices when the answers
// become quick again (a wait that ends in a sleep is measured with the
// wake-up in it, which would keep it sleeping). And no more of a process's
// waiters spin at once than it has cores but one: the others sleep at once
// and leave the processors to the sides they wait for.
//
// The calling side, which waits for an answer it knows is coming (within
// the call's deadline), spins at least callerSpin whatever its recent
// waits: with a plugin process asleep between its calls (5 plugins on 2
// cores), its answer takes the plugin's wake-up and more, and a caller
// that slept until then and was woken spent about as much CPU as one that
// spun through it, and saw the answer later (measured on a 2-core virtual
// machine, HookRoundTrip with 5 plugins: a fifth less time per handler,
// the host's CPU no higher). The spin never runs past the call's
// deadline. The answering side, which waits for calls that may never
// come, spins only by its recent waits.
const (
	spinMax    = 30 * time.Microsecond
	spinFloor  = time.Microsecond // the shortest spin worth making
	probeEvery = 64
	callerSpin = 50 * time.Microsecond
)

// spinners counts the waiters of this process that spin now; maxSpinners
// is how many may.
var (
	spinners    atomic.Int32
	maxSpinners = int32(max(runtime.NumCPU()-1, 1))
)

// spinner is the spin policy of one side of one channel: one waiter at a
// time (a connection carries one call at a time).
type spinner struct {
	typical time.Duration // the recent waits, smoothed (a moving average)
	waits   uint32
	least   time.Duration // the shortest budget: callerSpin on the calling side, else 0
}

// budget returns how long the next wait may spin: 0 for none.
func (s *spinner) budget() time.Duration {
	s.waits++
	if s.waits%probeEvery == 0 {
		return max(spinMax, s.least)
	}
	if s.typical > spinMax {
		return s.least
	}
	return max(min(max(2*s.typical, spinFloor), spinMax), s.least)
}

// observe records that a wait took d, from its start until the other
// side's number was seen. A long wait counts as 4 × spinMax: long enough
// to stop spinning, short enough that a few quick waits start it again.
func (s *spinner) observe(d time.Duration) {
	d = min(d, 4*spinMax)
	if s.typical == 0 {
		s.typical = d
		return
	}
	s.typical += (d - s.typical) / 4
}

// enterSpin takes one of the process's places to spin, false when all are
// taken; leaveSpin gives it back.
func enterSpin() bool {
	if spinners.Add(1) > maxSpinners {
		spinners.Add(-1)
		return false
	}
	return true
}

func leaveSpin() { spinners.Add(-1) }
