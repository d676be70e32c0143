package wire

import (
	"fmt"
	"reflect"
)

var remoteFuncType = reflect.TypeFor[RemoteFunc]()

// Typed returns a remote function as a function of type F: a process
// plugin's helper as a host hands it out (a RemoteFunc), or another
// plugin's helper as a process plugin gets it (sdk.RemoteHelper). F's
// arguments are sent as JSON and its results decoded from the answer; an
// error the helper returned, or the failure of the call (the process is
// gone, the call overran its deadline, the helper panicked), is F's final
// error result when it has one, and a panic otherwise, as the remote
// function's own. A value already of type F is returned as it is. Typed
// reports false when fn is neither, or F is not a func type.
//
//	add, ok := wire.Typed[func(int, int) (int, error)](helpers["add"])
func Typed[F any](fn any) (F, bool) {
	if f, ok := fn.(F); ok {
		return f, true
	}
	v, ok := TypedAs(fn, reflect.TypeFor[F]())
	if !ok {
		var zero F
		return zero, false
	}
	return v.(F), true
}

// TypedAs is Typed with the function type given as a reflect.Type.
func TypedAs(fn any, typ reflect.Type) (any, bool) {
	v := reflect.ValueOf(fn)
	if !v.IsValid() || typ == nil || typ.Kind() != reflect.Func || typ.IsVariadic() || !v.Type().ConvertibleTo(remoteFuncType) || v.IsNil() {
		return nil, false
	}
	if v.Type() == typ {
		return fn, true
	}
	rf := v.Convert(remoteFuncType).Interface().(RemoteFunc)
	_, outTypes, hasErr := Split(typ)
	return reflect.MakeFunc(typ, func(args []reflect.Value) []reflect.Value {
		in := make([]any, len(args))
		for i, a := range args {
			in[i] = a.Interface()
		}
		raw, err := rf(in...)
		if err != nil && !hasErr {
			panic(err)
		}
		results := make([]reflect.Value, 0, typ.NumOut())
		for i, ot := range outTypes {
			r := reflect.New(ot)
			if i < len(raw) && err == nil {
				if derr := Unmarshal(raw[i], r.Interface()); derr != nil {
					err = fmt.Errorf("result %d (%s): %w", i, ot, derr)
					if !hasErr {
						panic(err)
					}
				}
			}
			results = append(results, r.Elem())
		}
		if hasErr {
			results = append(results, reflect.ValueOf(&err).Elem())
		}
		return results
	}).Interface(), true
}
