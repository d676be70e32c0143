package wire_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
)

type (
	line     string
	lineHook func(line string, n int) (string, error)
	point    struct{ X, Y float64 }
	mirror   struct{ A, B float64 }
)

// TestShapeFits: types that cross as the same JSON have the same shape
// (named or not, a struct or its mirror); types that do not, differ.
func TestShapeFits(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		fits bool
	}{
		{"named and underlying func", lineHook(nil), func(string, int) (string, error) { return "", nil }, true},
		{"named string param", func(line) {}, func(string) {}, true},
		{"struct and its mirror", func(point) {}, func(mirror) {}, true},
		{"different param kind", func(int) int { return 0 }, func(string) string { return "" }, false},
		{"different count", func(string) {}, func(string, string) {}, false},
		{"param moved to result", func(string) {}, func() string { return "" }, false},
		{"error result and string result", func() error { return nil }, func() string { return "" }, false},
		{"variadic", func(...string) {}, func([]string) {}, false},
		{"map key", func(map[string]int) {}, func(map[int]int) {}, false},
		{"pointer", func(*point) {}, func(point) {}, false},
		{"array length", func([2]int) {}, func([3]int) {}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := wire.ShapeJSON(reflect.TypeOf(tt.a)), wire.ShapeJSON(reflect.TypeOf(tt.b))
			if (a == b) != tt.fits {
				t.Errorf("shapes %s and %s: equal %v, want %v", a, b, a == b, tt.fits)
			}
		})
	}
}

// TestShapeType: the type made from a shape has that shape, and reads as
// the plugin's type would without names.
func TestShapeType(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{lineHook(nil), "func(string, int) (string, error)"},
		{func(...point) map[string][]*mirror { return nil }, "func(...struct {}) map[string][]*struct {}"},
		{func([2]uint8, chan int, any) {}, "func([2]uint8, chan int, interface {})"},
		{42, "int"},
		{"s", "string"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var s wire.Shape
			if err := json.Unmarshal([]byte(wire.ShapeJSON(reflect.TypeOf(tt.v))), &s); err != nil {
				t.Fatal(err)
			}
			got := s.Type()
			if got.String() != tt.want {
				t.Errorf("type %s, want %s", got, tt.want)
			}
			if wire.ShapeJSON(got) != wire.ShapeJSON(reflect.TypeOf(tt.v)) {
				t.Errorf("the made type's shape %s differs from %s", wire.ShapeJSON(got), wire.ShapeJSON(reflect.TypeOf(tt.v)))
			}
		})
	}
}

// TestShapeTypeOfNonsense: a shape that no Go type has (from a broken
// plugin) still gives a type, never a panic.
func TestShapeTypeOfNonsense(t *testing.T) {
	for _, s := range []wire.Shape{
		{},
		{Kind: "no such kind"},
		{Kind: "func", Ins: 5},
		{Kind: "func", Ins: 1, Variadic: true, Elems: []wire.Shape{{Kind: "int"}}},
		{Kind: "map", Elems: []wire.Shape{{Kind: "slice", Elems: []wire.Shape{{Kind: "int"}}}}},
		{Kind: "array", Len: -1},
	} {
		if got := s.Type(); got == nil {
			t.Errorf("%+v: no type", s)
		}
	}
}
