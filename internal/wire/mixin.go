package wire

import "reflect"

// MixinName is how a mixin interface is named across the process
// boundary: "<package path>.<name>".
func MixinName(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

// Method is one method of a mixin as it crosses: its name and the JSON
// [Shape] of its type without the receiver.
type Method struct {
	Name  string
	Shape string
}

// Methods returns the methods of interface type t.
func Methods(t reflect.Type) []Method {
	out := make([]Method, t.NumMethod())
	for i := range out {
		m := t.Method(i)
		out[i] = Method{Name: m.Name, Shape: ShapeJSON(m.Type)}
	}
	return out
}

// Implements reports whether v's method set has each of methods, with the
// same shape: how a plugin's process detects a host's mixin whose Go type
// it does not know. A nil v or an empty list implements nothing.
func Implements(v any, methods []Method) bool {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || len(methods) == 0 {
		return false
	}
	for _, m := range methods {
		fn := rv.MethodByName(m.Name)
		if !fn.IsValid() || ShapeJSON(fn.Type()) != m.Shape {
			return false
		}
	}
	return true
}
