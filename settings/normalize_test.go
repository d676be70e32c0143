package settings

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type myString string

// wholeInt is i as the store keeps an integer: an int where it fits (64-bit
// systems), an int64 where it does not (32-bit systems).
func wholeInt(i int64) any {
	if int64(int(i)) == i {
		return int(i)
	}
	return i
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"string", "x", "x"},
		{"named string", myString("x"), "x"},
		{"bool", true, true},
		{"int", 3, 3},
		{"int8", int8(-3), -3},
		{"int64", int64(1) << 40, wholeInt(1 << 40)},
		{"uint8", uint8(200), 200},
		{"uint64 in range", uint64(7), 7},
		{"uintptr", uintptr(9), 9},
		{"float32", float32(0.1), 0.1},
		{"float64", 2.5, 2.5},
		{"[]string", []string{"a", "b"}, []any{"a", "b"}},
		{"nil []string", []string(nil), []any{}},
		{"array", [2]int32{1, 2}, []any{1, 2}},
		{"map[string]int", map[string]int{"a": 1}, map[string]any{"a": 1}},
		{"nil map", map[string]int(nil), map[string]any{}},
		{"map[any]any with string keys", map[any]any{"a": int16(1)}, map[string]any{"a": 1}},
		{
			"nested",
			map[string]any{"l": []map[string]float32{{"f": 1.5}}, "m": map[string][]uint{"u": {1}}},
			map[string]any{"l": []any{map[string]any{"f": 1.5}}, "m": map[string]any{"u": []any{1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalize(tt.in, "p", strict)
			if err != nil {
				t.Fatalf("normalize: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeUnsupported(t *testing.T) {
	type point struct{ X int }
	tests := []struct {
		name     string
		in       any
		wantPath string
		wantType string
	}{
		{"struct", point{1}, "p", "settings.point"},
		{"pointer", &point{}, "p", "*settings.point"},
		{"func", func() {}, "p", "func()"},
		{"chan", make(chan int), "p", "chan int"},
		{"complex", complex(1, 2), "p", "complex128"},
		{"int keys", map[int]string{1: "a"}, "p", "map[int]string"},
		{"mixed keys", map[any]any{"a": 1, 2: 3}, "p", "map[interface {}]interface {}"},
		{"overflow", uint64(math.MaxUint64), "p", "uint64"},
		{"nested in map", map[string]any{"a": map[string]any{"b": point{}}}, "p.a.b", "settings.point"},
		{"nested in list", []any{1, []any{struct{}{}}}, "p.1.0", "struct {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := normalize(tt.in, "p", strict)
			var ue *InvalidValueError
			if !errors.As(err, &ue) || !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("normalize error = %v, want an *InvalidValueError", err)
			}
			if ue.Path != tt.wantPath || !strings.HasPrefix(ue.Reason, "unsupported type "+tt.wantType) {
				t.Errorf("error at %q: %q, want %q of %q", ue.Path, ue.Reason, tt.wantPath, tt.wantType)
			}
			if !strings.Contains(err.Error(), tt.wantType) || !strings.Contains(err.Error(), tt.wantPath) {
				t.Errorf("error %q does not name the type and path", err)
			}
			// Lenient mode keeps the value instead.
			if _, err := normalize(tt.in, "p", lenient); err != nil {
				t.Errorf("lenient normalize: %v", err)
			}
		})
	}
}

func TestNormalizeFromFileStringifiesKeys(t *testing.T) {
	got, err := normalize(map[any]any{1: "a", true: map[any]any{"x": 1}}, "", fromFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"1": "a", "true": map[string]any{"x": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestEqualValues(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{1, 1, true},
		{1, 1.0, false},
		{math.NaN(), math.NaN(), true},
		{nil, nil, true},
		{nil, map[string]any{}, false},
		{[]any{1, "a"}, []any{1, "a"}, true},
		{[]any{1}, []any{1, 2}, false},
		{map[string]any{"a": []any{1}}, map[string]any{"a": []any{1}}, true},
		{map[string]any{"a": 1}, map[string]any{"b": 1}, false},
		{map[string]any{"a": nil}, map[string]any{}, false},
	}
	for _, tt := range tests {
		if got := equalValues(tt.a, tt.b); got != tt.want {
			t.Errorf("equalValues(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
