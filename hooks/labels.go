package hooks

import (
	"context"
	"runtime/pprof"
	"sync/atomic"
)

// The profile labels of a hook call (see [Loop]). LabelPlugin is the
// manager's goroutine label (manager.GoroutineLabel): a goroutine a handler
// starts during a call inherits it and counts as the plugin's.
const (
	LabelLoop   = "tentacle_loop"   // the host loop: "comm", "comm.async"
	LabelPlugin = "tentacle_plugin" // the handler's plugin
	LabelHook   = "tentacle_hook"   // the hook's name
	LabelTier   = "tentacle_tier"   // the plugin's tier: "source", "process"
)

// Loop is a goroutine of the host's that calls hooks, known by its profile
// labels: the goroutine runs under them ([Loop.Enter]) and, around each call
// of a timed handler ([Registration.Timed]), under the handler's labels
// added to them ([Stats.BeginOn], [Stats.EndOn]), so that a CPU profile
// (go tool pprof -tagfocus tentacle_plugin=<id>) says which plugin, hook and
// tier the time went to. Go cannot read a goroutine's labels and put them
// back, so only a goroutine whose labels the host set itself can be
// labelled around a call: a hook called from any other goroutine (an HTTP
// handler, a plugin's own) is called with a nil *Loop and stays unlabelled.
//
// The labels of a handler on a loop are made on the handler's first call
// on it and kept with the handler's [Stats], for one loop at a time; a call
// then switches labels twice without allocating (a handler called on two
// loops in turn makes them again at each change of loop). The calls of a
// compiled-in handler (not timed) are not labelled, and cost what they
// cost without a Loop. A Loop is immutable: goroutines with the same labels
// share one.
type Loop struct {
	base context.Context // the loop's labels
}

// NewLoop returns the loop whose goroutines run under the label
// tentacle_loop=name and no other.
func NewLoop(name string) *Loop {
	return &Loop{base: pprof.WithLabels(context.Background(), pprof.Labels(LabelLoop, name))}
}

// Enter sets the calling goroutine's labels to the loop's. A loop's
// goroutine calls it first, replacing the labels it inherited from the one
// that started it, and again after it recovered a panic of a handler it
// called itself, which left the handler's labels on it ([Hook.CallOn] and
// [Hook.CallUntilOn] do that for their callers). On a nil *Loop it does
// nothing.
func (l *Loop) Enter() {
	if l != nil {
		pprof.SetGoroutineLabels(l.base)
	}
}

// handlerLabels are the profile labels of a timed handler: its tier, and
// the context of its labels on the loop it was last called on.
type handlerLabels struct {
	tier string
	loop *Loop
	ctx  context.Context
}

// setTier makes tier the tier of s's labels, dropping the labels made for
// another tier. Called with Registry.mu held, for a timed handler.
func (s *Stats) setTier(tier string) {
	if cur := s.labels.Load(); cur == nil || cur.tier != tier {
		s.labels.Store(&handlerLabels{tier: tier})
	}
}

// labelsOn returns the context of s's labels on l, making it on the
// handler's first call on l (or after a call on another loop). Nil when s
// has no labels (it is not timed).
func (s *Stats) labelsOn(l *Loop) context.Context {
	cur := s.labels.Load()
	if cur == nil {
		return nil
	}
	if cur.loop == l {
		return cur.ctx
	}
	kv := []string{LabelPlugin, s.plugin, LabelHook, s.hook}
	if cur.tier != "" {
		kv = append(kv, LabelTier, cur.tier)
	}
	next := &handlerLabels{tier: cur.tier, loop: l, ctx: pprof.WithLabels(l.base, pprof.Labels(kv...))}
	s.labels.CompareAndSwap(cur, next) // a lost race: the next call makes them again
	return next.ctx
}

// labelPointer is the pointer to a handler's labels that [Stats] keeps.
type labelPointer = atomic.Pointer[handlerLabels]
