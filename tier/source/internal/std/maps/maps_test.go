package maps

import (
	"fmt"
	std "maps"
	"slices"
	"testing"
)

// Each function gives the standard library's result.
func TestLikeTheStandardLibrary(t *testing.T) {
	m := map[string]int{"a": 1, "b": 2, "c": 3}
	check := func(what string, got, want any) {
		t.Helper()
		if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
			t.Errorf("%s: got %s, want %s", what, g, w)
		}
	}
	c := Clone(m)
	c["d"] = 4
	check("Clone is a copy", len(m), 3)
	check("Clone", Clone(m), std.Clone(m))
	check("Clone nil", Clone[string, int](nil) == nil, true)
	check("Equal", Equal(m, c), std.Equal(m, c))
	check("Equal same", Equal(m, Clone(m)), true)
	eq := func(a, b int) bool { return a%2 == b%2 }
	check("EqualFunc", EqualFunc(m, map[string]int{"a": 3, "b": 4, "c": 5}, eq), true)
	dst := map[string]int{"z": 0, "a": 9}
	Copy(dst, m)
	check("Copy", dst, map[string]int{"z": 0, "a": 1, "b": 2, "c": 3})
	DeleteFunc(dst, func(_ string, v int) bool { return v < 2 })
	check("DeleteFunc", dst, map[string]int{"b": 2, "c": 3})
	check("Keys", slices.Sorted(Keys(m)), slices.Sorted(std.Keys(m)))
	check("Values", slices.Sorted(Values(m)), slices.Sorted(std.Values(m)))
	check("All and Collect", Collect(All(m)), m)
	ins := map[string]int{"x": 7}
	Insert(ins, All(m))
	check("Insert", ins, map[string]int{"a": 1, "b": 2, "c": 3, "x": 7})
}
