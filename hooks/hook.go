package hooks

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"time"
)

// Handler is one handler of a typed hook, as the hot path sees it.
type Handler[F any] struct {
	// Plugin is the identifier of the plugin that registered the handler.
	Plugin string
	// Order is the handler's effective order.
	Order int
	// Fn is the handler, already of the hook's type.
	Fn F
	// Filter is the filter the handler was registered with
	// ([tentacle.HookHandler.Filter]), of the hook's [Spec.Filter] type, or
	// nil: the host calls the handler only for the calls it lets through.
	Filter any
	// Stats counts the handler's calls ([Stats]); nil counts nothing.
	Stats *Stats
}

// Hook is a hook declared with [Declare]: the typed, lock-free view of its
// handlers that a host's hot path calls. It stays valid for the registry's
// lifetime.
type Hook[F any] struct {
	name    string
	reg     *Registry
	onFault func(plugin, hook string, recovered any)
	snap    atomic.Pointer[[]Handler[F]]
}

// Declare declares a typed hook: spec.Type is set to F, which must be a func
// type. Handlers registered before (under the plugin prefix) are converted to
// F and must fit it. Declaring the same name with the same F again updates
// the spec and returns the same *Hook[F]. See [Registry.Declare] for the
// errors.
func Declare[F any](r *Registry, spec Spec) (*Hook[F], error) {
	t := reflect.TypeFor[F]()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("declare hook %q: type %v is not a func type", spec.Name, t)
	}
	spec.Type = t
	r.mu.Lock()
	defer r.mu.Unlock()
	hs, err := r.declareLocked(spec)
	if err != nil {
		return nil, err
	}
	if h, ok := hs.typed.(*Hook[F]); ok {
		return h, nil
	}
	h := &Hook[F]{name: spec.Name, reg: r, onFault: r.onFault}
	hs.typed = h
	if len(hs.index) == 0 {
		h.publish(nil)
	} else {
		r.changedLocked(hs)
	}
	return h, nil
}

// MustDeclare is like [Declare] but panics on error. It is meant for
// package-level declarations, where an error is a programmer's mistake.
func MustDeclare[F any](r *Registry, spec Spec) *Hook[F] {
	h, err := Declare[F](r, spec)
	if err != nil {
		panic("hooks: " + err.Error())
	}
	return h
}

// Name returns the hook's name.
func (h *Hook[F]) Name() string { return h.name }

// Handlers returns the current handlers in call order. The slice is an
// immutable snapshot shared by all callers: do not modify it. It costs one
// atomic load and no allocation; a change to the registry is seen by the
// next call (or, while the registry is held, after its release).
func (h *Hook[F]) Handlers() []Handler[F] {
	if p := h.snap.Load(); p != nil {
		return *p
	}
	return nil
}

// Call calls fn for each handler in order; fn calls the handler, as in
//
//	hook.Call(func(h hooks.Handler[func(string) string]) { line = h.Fn(line) })
//
// A panic in fn is recovered and reported to [Options.OnFault] with the
// handler's plugin, and the remaining handlers still run. Call allocates
// nothing unless a handler panics.
func (h *Hook[F]) Call(fn func(Handler[F])) { h.CallOn(nil, fn) }

// CallOn is [Hook.Call] on loop l's goroutine: the calls of timed handlers
// run under their profile labels (see [Loop]), and the goroutine is back
// under l's when CallOn returns, also after a panic.
func (h *Hook[F]) CallOn(l *Loop, fn func(Handler[F])) {
	hs := h.Handlers()
	for i := 0; i < len(hs); {
		i = h.run(l, hs, i, fn)
	}
}

// run calls fn for hs[i:] under one deferred recover. It returns the index
// to go on from: len(hs) when done, or the one after a panicking handler.
// The loop ends with next == len(hs), so next < len(hs) in the deferred
// function means fn(hs[next]) panicked.
func (h *Hook[F]) run(l *Loop, hs []Handler[F], i int, fn func(Handler[F])) (next int) {
	var start time.Duration
	defer func() {
		if next < len(hs) {
			st := hs[next].Stats
			st.EndOn(l, start)
			r := recover()
			st.Fail(r)
			h.fault(hs[next].Plugin, r)
			next++
		}
	}()
	for next = i; next < len(hs); next++ {
		st := hs[next].Stats
		start = st.BeginOn(l)
		fn(hs[next])
		st.EndOn(l, start)
	}
	return next
}

// CallUntil is like [Hook.Call] but stops at the first handler for which fn
// returns true, and reports whether it stopped. A panicking handler counts
// as returning false.
func (h *Hook[F]) CallUntil(fn func(Handler[F]) bool) bool { return h.CallUntilOn(nil, fn) }

// CallUntilOn is [Hook.CallUntil] on loop l's goroutine, labelled as
// [Hook.CallOn] is.
func (h *Hook[F]) CallUntilOn(l *Loop, fn func(Handler[F]) bool) bool {
	hs := h.Handlers()
	for i := 0; i < len(hs); {
		var stop bool
		if i, stop = h.runUntil(l, hs, i, fn); stop {
			return true
		}
	}
	return false
}

func (h *Hook[F]) runUntil(l *Loop, hs []Handler[F], i int, fn func(Handler[F]) bool) (next int, stop bool) {
	var start time.Duration
	defer func() {
		if !stop && next < len(hs) {
			st := hs[next].Stats
			st.EndOn(l, start)
			r := recover()
			st.Fail(r)
			h.fault(hs[next].Plugin, r)
			next++
		}
	}()
	for next = i; next < len(hs); next++ {
		st := hs[next].Stats
		start = st.BeginOn(l)
		stop = fn(hs[next])
		st.EndOn(l, start)
		if stop {
			return next + 1, true
		}
	}
	return next, false
}

// fault reports a recovered panic. A reflect.Value (what the interpreter of
// the source tier panics with) is unwrapped; a panic in OnFault itself is
// dropped, so that the remaining handlers still run. Nil (runtime.Goexit,
// or panic(nil) under GODEBUG=panicnil=1) is not reported.
func (h *Hook[F]) fault(plugin string, v any) {
	if h.onFault == nil || v == nil {
		return
	}
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		v = rv.Interface()
	}
	defer func() { _ = recover() }()
	h.onFault(plugin, h.name, v)
}

// publish implements typedHook.
func (h *Hook[F]) publish(entries []*entry) {
	if len(entries) == 0 {
		h.snap.Store(nil)
		return
	}
	list := make([]Handler[F], 0, len(entries))
	for _, e := range entries {
		if fn, ok := e.fn.(F); ok {
			list = append(list, Handler[F]{Plugin: e.plugin, Order: e.order, Fn: fn, Filter: e.filter, Stats: e.stats})
		}
	}
	h.snap.Store(&list)
}
