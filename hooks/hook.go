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
//
// The handlers are called in one loop under one deferred recover, the
// cheapest form of the common case, where nothing panics. After a panic the
// deferred function reports it and calls the handlers after the panicking
// one, each under a recover of its own. A handler that calls
// runtime.Goexit, which no recover stops, ends the calls: the remaining
// handlers are not called (nor are they after panic(nil) under
// GODEBUG=panicnil=1, which recover cannot tell from a Goexit).
func (h *Hook[F]) CallOn(l *Loop, fn func(Handler[F])) {
	hs := h.Handlers()
	if len(hs) == 0 {
		return
	}
	var start time.Duration
	i := 0
	defer func() {
		if i < len(hs) && h.recovered(l, hs[i], start, recover()) {
			each := func(hd Handler[F]) bool { fn(hd); return false }
			for _, hd := range hs[i+1:] {
				h.callOne(l, hd, each)
			}
		}
	}()
	for ; i < len(hs); i++ {
		st := hs[i].Stats
		start = st.BeginOn(l)
		fn(hs[i])
		st.EndOn(l, start)
	}
}

// recovered counts and reports the failed call of hd that started at start
// (r is what recover returned) and puts the goroutine back under l's
// labels. It reports whether the calls go on: not after a Goexit (r nil).
func (h *Hook[F]) recovered(l *Loop, hd Handler[F], start time.Duration, r any) bool {
	hd.Stats.EndOn(l, start)
	hd.Stats.Fail(r)
	h.fault(hd.Plugin, r)
	return r != nil
}

// CallUntil is like [Hook.Call] but stops at the first handler for which fn
// returns true, and reports whether it stopped. A panicking handler counts
// as returning false.
func (h *Hook[F]) CallUntil(fn func(Handler[F]) bool) bool { return h.CallUntilOn(nil, fn) }

// CallUntilOn is [Hook.CallUntil] on loop l's goroutine, labelled as
// [Hook.CallOn] is, and recovered as CallOn is.
func (h *Hook[F]) CallUntilOn(l *Loop, fn func(Handler[F]) bool) (stop bool) {
	hs := h.Handlers()
	if len(hs) == 0 {
		return false
	}
	var start time.Duration
	i := 0
	defer func() {
		if i < len(hs) && !stop && h.recovered(l, hs[i], start, recover()) {
			for _, hd := range hs[i+1:] {
				if h.callOne(l, hd, fn) {
					stop = true
					return
				}
			}
		}
	}()
	for ; i < len(hs); i++ {
		st := hs[i].Stats
		start = st.BeginOn(l)
		stop = fn(hs[i])
		st.EndOn(l, start)
		if stop {
			return true
		}
	}
	return false
}

// callOne calls fn for one handler under a recover of its own (the
// handlers after a panicking one) and reports what fn returned, false
// after a panic.
func (h *Hook[F]) callOne(l *Loop, hd Handler[F], fn func(Handler[F]) bool) (stop bool) {
	var start time.Duration
	done := false
	defer func() {
		if !done {
			h.recovered(l, hd, start, recover())
		}
	}()
	start = hd.Stats.BeginOn(l)
	stop = fn(hd)
	hd.Stats.EndOn(l, start)
	done = true
	return stop
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
