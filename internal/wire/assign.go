package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// ErrMisfit is wrapped by Assign's error when a function cannot be given
// the wanted type.
var ErrMisfit = errors.New("does not fit")

// Assign sets *fnPtr, a pointer to a func variable, to fn as a function of
// *fnPtr's type:
//
//   - fn itself when its type is assignable (or convertible) to it;
//   - for a RemoteFunc (a function of a plugin in another process), a
//     function that encodes its arguments and decodes its results (Typed);
//   - for a function of the same shape whose types differ (the struct of
//     an interpreted plugin and its mirror in a compiled one), a bridge
//     that converts each argument and result that is not assignable as
//     JSON does across a process boundary.
//
// It fails for a fnPtr that is not a non-nil pointer to a func variable,
// and, wrapping ErrMisfit, for a fn that is not a function of that shape.
func Assign(fn, fnPtr any) error {
	p := reflect.ValueOf(fnPtr)
	if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Func {
		return fmt.Errorf("want a pointer to a func variable, got %T", fnPtr)
	}
	dst := p.Elem()
	t := dst.Type()
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() == reflect.Func && v.IsNil() {
		return fmt.Errorf("nil function: %w", ErrMisfit)
	}
	switch {
	case v.Type().AssignableTo(t):
		dst.Set(v)
	case v.Type().ConvertibleTo(t):
		dst.Set(v.Convert(t))
	case v.Type().ConvertibleTo(remoteFuncType):
		f, ok := TypedAs(fn, t)
		if !ok {
			return fmt.Errorf("a remote function cannot be a %s: %w", t, ErrMisfit)
		}
		dst.Set(reflect.ValueOf(f))
	case v.Kind() == reflect.Func && sameShape(v.Type(), t):
		dst.Set(bridge(v, t))
	default:
		return fmt.Errorf("a %s is not a %s: %w", v.Type(), t, ErrMisfit)
	}
	return nil
}

func sameShape(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
		return false
	}
	sa, _ := json.Marshal(ShapeOf(a))
	sb, _ := json.Marshal(ShapeOf(b))
	return string(sa) == string(sb)
}

// bridge returns a function of type t that calls fn (of the same shape),
// converting each argument to fn's parameter type and each result back.
func bridge(fn reflect.Value, t reflect.Type) reflect.Value {
	ft := fn.Type()
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		in := make([]reflect.Value, len(args))
		for i, a := range args {
			in[i] = convert(a, ft.In(i))
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fn.CallSlice(in)
		} else {
			out = fn.Call(in)
		}
		for i, r := range out {
			out[i] = convert(r, t.Out(i))
		}
		return out
	})
}

// convert returns v as a value of type t: itself when assignable, else
// through JSON. A value that does not convert panics, as a call with
// arguments of the wrong type would.
func convert(v reflect.Value, t reflect.Type) reflect.Value {
	if v.Type().AssignableTo(t) {
		if v.Type() == t {
			return v
		}
		out := reflect.New(t).Elem()
		out.Set(v)
		return out
	}
	b, err := json.Marshal(FloatsMarked(v.Interface()))
	if err != nil {
		panic(fmt.Errorf("convert a %s to a %s: %w", v.Type(), t, err))
	}
	p := reflect.New(t)
	if err := Unmarshal(b, p.Interface()); err != nil {
		panic(fmt.Errorf("convert a %s to a %s: %w", v.Type(), t, err))
	}
	return p.Elem()
}
