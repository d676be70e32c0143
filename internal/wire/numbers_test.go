package wire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
)

// Numbers as the server hands them to a SimpleAPI command cross with their
// Go types: FloatsMarked on the host's side, JSON, Numbers on the
// plugin's.
func TestNumbersCross(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{3, 3},
		{-7, -7},
		{0, 0},
		{5.0, 5.0},
		{2.5, 2.5},
		{-0.25, -0.25},
		{1e3, 1e3},
		{1e21, 1e21},
		{1.5e-9, 1.5e-9},
		{math.MaxInt, math.MaxInt},
		{"5", "5"},
		{true, true},
		{nil, nil},
		{map[string]any{"n": 1, "f": 1.0, "deep": []any{2, 2.0, map[string]any{"x": 0.0}}},
			map[string]any{"n": 1, "f": 1.0, "deep": []any{2, 2.0, map[string]any{"x": 0.0}}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T %v", tt.in, tt.in), func(t *testing.T) {
			data, err := json.Marshal(wire.FloatsMarked(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if got := wire.Numbers(v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("crossed as %s: %#v, want %#v", data, got, tt.want)
			}
		})
	}
}

// FloatsMarked leaves its argument as it is.
func TestFloatsMarkedCopies(t *testing.T) {
	in := map[string]any{"f": 1.0, "l": []any{2.0}}
	_ = wire.FloatsMarked(in)
	if !reflect.DeepEqual(in, map[string]any{"f": 1.0, "l": []any{2.0}}) {
		t.Errorf("the argument was changed: %#v", in)
	}
}
