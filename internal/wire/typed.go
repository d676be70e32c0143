package wire

import (
	"fmt"
	"reflect"
)

var remoteFuncType = reflect.TypeFor[RemoteFunc]()

// Typed returns a remote function as a function of type F: a process
// plugin's helper as a host hands it out (a RemoteFunc), or another
// plugin's helper as a process plugin gets it (sdk.RemoteHelper). F's
// arguments are sent as JSON and its results decoded from the answer. An
// error the function returned is F's final error result when it has one,
// and a panic otherwise. A failure of the function that the host recovered
// and recorded as a fault of its plugin (a [Recovered]: it panicked,
// overran its deadline, or its process was gone) is not the caller's: it
// is F's final error result when it has one, and F returns zero values
// otherwise, never panicking. A value already of type F is returned as it
// is. Typed reports false when fn is neither, or F is not a func type.
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
		if rec, ok := asRecovered(err); ok {
			return recoveredResults(typ, outTypes, hasErr, rec)
		}
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
