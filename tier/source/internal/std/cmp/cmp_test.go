package cmp

import (
	std "cmp"
	"math"
	"testing"
)

// Each function gives the standard library's result, NaNs included.
func TestLikeTheStandardLibrary(t *testing.T) {
	vals := []float64{math.Inf(-1), -1, 0, 1, math.NaN()}
	for _, x := range vals {
		for _, y := range vals {
			if got, want := Compare(x, y), std.Compare(x, y); got != want {
				t.Errorf("Compare(%v, %v) = %d, want %d", x, y, got, want)
			}
			if got, want := Less(x, y), std.Less(x, y); got != want {
				t.Errorf("Less(%v, %v) = %v, want %v", x, y, got, want)
			}
		}
	}
	if got := Or("", "a", "b"); got != "a" {
		t.Errorf("Or = %q", got)
	}
	if got := Or(0, 0); got != 0 {
		t.Errorf("Or of zeros = %d", got)
	}
}
