package wire

import (
	"encoding/json"
	"reflect"
)

// Shape is the shape of a Go type as it matters to a call that crosses as
// JSON: its kind and, for composite types, the shapes of its parts, without
// names. The plugin side sends each hook handler's shape; the host compares
// it with the hook's declared type, so that a handler that does not fit is
// refused at register as it is for an in-process plugin, not at its first
// call. Two types of the same shape (a named type and its underlying type,
// a struct and its mirror in another module) fit each other.
type Shape struct {
	// Kind is the reflect.Kind's name; "error" for the error interface.
	Kind string `json:"k"`
	// Elems: the element (array, slice, pointer, channel), the key and the
	// element (map), the parameters then the results (func).
	Elems []Shape `json:"e,omitempty"`
	// Ins is the number of a func's parameters.
	Ins int `json:"i,omitempty"`
	// Variadic: a func's last parameter is variadic.
	Variadic bool `json:"v,omitempty"`
	// Len is an array's length.
	Len int `json:"l,omitempty"`
}

// ShapeOf returns t's shape.
func ShapeOf(t reflect.Type) Shape {
	if t == errorType {
		return Shape{Kind: "error"}
	}
	s := Shape{Kind: t.Kind().String()}
	switch t.Kind() {
	case reflect.Array:
		s.Len = t.Len()
		s.Elems = []Shape{ShapeOf(t.Elem())}
	case reflect.Slice, reflect.Pointer, reflect.Chan:
		s.Elems = []Shape{ShapeOf(t.Elem())}
	case reflect.Map:
		s.Elems = []Shape{ShapeOf(t.Key()), ShapeOf(t.Elem())}
	case reflect.Func:
		s.Ins, s.Variadic = t.NumIn(), t.IsVariadic()
		for i := range t.NumIn() {
			s.Elems = append(s.Elems, ShapeOf(t.In(i)))
		}
		for i := range t.NumOut() {
			s.Elems = append(s.Elems, ShapeOf(t.Out(i)))
		}
	}
	return s
}

// ShapeJSON returns t's shape as JSON.
func ShapeJSON(t reflect.Type) string {
	b, _ := json.Marshal(ShapeOf(t)) // a Shape always marshals
	return string(b)
}

// basicTypes are a type of each kind that has no parts.
var basicTypes = map[string]reflect.Type{}

func init() {
	for _, v := range []any{false, 0, int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0),
		uint32(0), uint64(0), uintptr(0), float32(0), float64(0), complex64(0), complex128(0), "",
		struct{}{}} {
		t := reflect.TypeOf(v)
		basicTypes[t.Kind().String()] = t
	}
	basicTypes["interface"] = reflect.TypeFor[any]()
	basicTypes["error"] = errorType
	basicTypes["unsafe.Pointer"] = reflect.TypeFor[any]() // never crosses as JSON
}

// Type returns a type of shape s, unnamed, with structs empty and
// interfaces any: what the host shows for a handler of a process plugin
// that does not fit a hook (the plugin's own type is in its process).
func (s Shape) Type() reflect.Type {
	elem := func(i int) reflect.Type {
		if i < len(s.Elems) {
			return s.Elems[i].Type()
		}
		return basicTypes["interface"]
	}
	switch s.Kind {
	case "array":
		return reflect.ArrayOf(max(s.Len, 0), elem(0))
	case "slice":
		return reflect.SliceOf(elem(0))
	case "ptr":
		return reflect.PointerTo(elem(0))
	case "chan":
		return reflect.ChanOf(reflect.BothDir, elem(0))
	case "map":
		k := elem(0)
		if !k.Comparable() {
			k = basicTypes["string"]
		}
		return reflect.MapOf(k, elem(1))
	case "func":
		ins := min(max(s.Ins, 0), len(s.Elems))
		var in, out []reflect.Type
		for i := range s.Elems {
			if i < ins {
				in = append(in, elem(i))
			} else {
				out = append(out, elem(i))
			}
		}
		variadic := s.Variadic && ins > 0 && in[ins-1].Kind() == reflect.Slice
		return reflect.FuncOf(in, out, variadic)
	}
	if t, ok := basicTypes[s.Kind]; ok {
		return t
	}
	return basicTypes["interface"]
}
