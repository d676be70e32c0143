package manager

import (
	"fmt"
	"reflect"
)

var errorType = reflect.TypeFor[error]()

// guardHelper wraps a helper function so that a panic in it is recovered,
// logged and counted against the plugin that exported it, instead of
// crashing the plugin that called it. The wrapper returns zero values, and
// the recovered panic as the last result when that is an error. Values that
// are not functions are returned as they are.
func (m *Manager) guardHelper(id, name string, h any) any {
	v := reflect.ValueOf(h)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return h
	}
	t := v.Type()
	what := fmt.Sprintf("helper %s", name)
	return reflect.MakeFunc(t, func(args []reflect.Value) (results []reflect.Value) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			pe := recovered(r)
			m.fault(id, PhaseCall, what, pe)
			results = make([]reflect.Value, t.NumOut())
			for i := range results {
				results[i] = reflect.Zero(t.Out(i))
			}
			if n := t.NumOut(); n > 0 && t.Out(n-1) == errorType {
				results[n-1] = reflect.ValueOf(&LifecycleError{Plugin: id, Phase: PhaseCall, Err: fmt.Errorf("%s: %w", what, pe)})
			}
		}()
		if t.IsVariadic() {
			return v.CallSlice(args)
		}
		return v.Call(args)
	}).Interface()
}
