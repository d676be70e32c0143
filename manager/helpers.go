package manager

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/tentacle-go/tentacle/internal/wire"
)

var (
	errorType      = reflect.TypeFor[error]()
	remoteFuncType = reflect.TypeFor[wire.RemoteFunc]()
)

// guardHelper wraps a helper function so that a failure in it is recovered,
// logged and counted against the plugin that exported it, instead of
// crashing the plugin that called it (see guardFunc). Values that are not
// functions are returned as they are.
func (m *Manager) guardHelper(id, name string, h any) any {
	return m.guardFunc(id, PhaseCall, "helper "+name, h)
}

// guardHandler wraps plugin id's handler of hook as the hook registry hands
// it out to plugins (hooks.Options.Guard), as guardHelper does a helper.
func (m *Manager) guardHandler(id, hook string, h any) any {
	return m.guardFunc(id, PhaseHook, hook, h)
}

// guardFunc wraps fn, a function of plugin id that other code calls (a
// helper, a hook handler), so that a failure in it (a panic, or the
// failure of a call into its process: overrun, process gone) is recovered
// at the function's boundary, logged and counted against id in phase with
// what, instead of unwinding into its caller's code and being charged to
// the caller. The wrapper has fn's type and returns zero values, and, when
// fn's last result is an error, a *LifecycleError describing the failure;
// for a process plugin's untyped function (a wire.RemoteFunc) that error
// is a *wire.Recovered, so that the typed function the caller made of it
// returns zero values rather than panicking. Values that are not
// functions are returned as they are.
func (m *Manager) guardFunc(id string, phase Phase, what string, fn any) any {
	if rf, ok := fn.(wire.RemoteFunc); ok && rf != nil {
		return m.guardRemote(id, phase, what, rf)
	}
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return fn
	}
	t := v.Type()
	return reflect.MakeFunc(t, func(args []reflect.Value) (results []reflect.Value) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			cause := recovered(r)
			m.fault(id, phase, what, cause)
			results = make([]reflect.Value, t.NumOut())
			for i := range results {
				results[i] = reflect.Zero(t.Out(i))
			}
			if n := t.NumOut(); n > 0 && t.Out(n-1) == errorType {
				var err error = &LifecycleError{Plugin: id, Phase: phase, Err: fmt.Errorf("%s: %w", what, cause)}
				if t.ConvertibleTo(remoteFuncType) {
					err = &wire.Recovered{Err: err}
				}
				results[n-1] = reflect.ValueOf(&err).Elem()
			}
		}()
		if t.IsVariadic() {
			return v.CallSlice(args)
		}
		return v.Call(args)
	}).Interface()
}

// guardRemote is guardFunc for a process plugin's untyped function, the
// way most of their helpers are called, written out: the same wrapper
// without reflection, which costs a call several allocations.
func (m *Manager) guardRemote(id string, phase Phase, what string, fn wire.RemoteFunc) wire.RemoteFunc {
	return func(args ...any) (results []json.RawMessage, err error) {
		defer func() {
			if r := recover(); r != nil {
				cause := recovered(r)
				m.fault(id, phase, what, cause)
				results = nil
				err = &wire.Recovered{Err: &LifecycleError{Plugin: id, Phase: phase, Err: fmt.Errorf("%s: %w", what, cause)}}
			}
		}()
		return fn(args...)
	}
}
