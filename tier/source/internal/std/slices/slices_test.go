package slices

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	std "slices"
	"testing"
)

// Each function gives the standard library's result, on random input of
// every small length.
func TestLikeTheStandardLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	byMod := func(a, b int) int { return cmp.Compare(a%4, b%4) }
	for n := 0; n < 40; n++ {
		for round := 0; round < 20; round++ {
			x := make([]int, n)
			for i := range x {
				x[i] = r.IntN(8)
			}
			y := std.Clone(x)
			check := func(what string, got, want any) {
				t.Helper()
				if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
					t.Fatalf("%s of %v: got %s, want %s", what, x, g, w)
				}
			}
			a, b := Clone(x), std.Clone(x)
			Sort(a)
			std.Sort(b)
			check("Sort", a, b)
			a, b = Clone(x), std.Clone(x)
			SortStableFunc(a, byMod)
			std.SortStableFunc(b, byMod)
			check("SortStableFunc", a, b)
			a = Clone(x)
			SortFunc(a, byMod)
			check("SortFunc", IsSortedFunc(a, byMod), true)
			check("IsSorted", IsSorted(x), std.IsSorted(x))
			check("Compact", Compact(Clone(x)), std.Compact(std.Clone(x)))
			check("Index", Index(x, 3), std.Index(x, 3))
			check("Compare", Compare(x, y[:n/2]), std.Compare(x, y[:n/2]))
			check("Equal", Equal(x, y), std.Equal(x, y))
			if n > 0 {
				check("Min", Min(x), std.Min(x))
				check("Max", Max(x), std.Max(x))
				check("MinFunc", MinFunc(x, byMod), std.MinFunc(x, byMod))
				check("MaxFunc", MaxFunc(x, byMod), std.MaxFunc(x, byMod))
				i, j := r.IntN(n), r.IntN(n)
				i, j = min(i, j), max(i, j)
				check("Delete", Delete(Clone(x), i, j), std.Delete(std.Clone(x), i, j))
				check("Insert", Insert(Clone(x), i, 7, 9), std.Insert(std.Clone(x), i, 7, 9))
				check("Replace", Replace(Clone(x), i, j, 5, 6, 7), std.Replace(std.Clone(x), i, j, 5, 6, 7))
				check("Replace shorter", Replace(Clone(x), i, j), std.Replace(std.Clone(x), i, j))
				check("Chunk", Collect(Chunk(x, i+1)), std.Collect(std.Chunk(x, i+1)))
			}
			s := Clone(x)
			Sort(s)
			for v := -1; v < 9; v++ {
				gi, gok := BinarySearch(s, v)
				wi, wok := std.BinarySearch(s, v)
				check(fmt.Sprint("BinarySearch ", v), []any{gi, gok}, []any{wi, wok})
			}
			check("DeleteFunc", DeleteFunc(Clone(x), func(v int) bool { return v%2 == 0 }),
				std.DeleteFunc(std.Clone(x), func(v int) bool { return v%2 == 0 }))
			a, b = Clone(x), std.Clone(x)
			Reverse(a)
			std.Reverse(b)
			check("Reverse", a, b)
			check("Concat", Concat(x, y, x), std.Concat(x, y, x))
			check("Repeat", Repeat(x, 3), std.Repeat(x, 3))
			check("Sorted", Sorted(Values(x)), std.Sorted(std.Values(x)))
			check("Backward", Collect(func(yield func(int) bool) {
				Backward(x)(func(_, v int) bool { return yield(v) })
			}), std.Collect(func(yield func(int) bool) {
				for _, v := range std.Backward(x) {
					if !yield(v) {
						return
					}
				}
			}))
			check("Grow", cap(Grow(x, 5)) >= n+5, true)
			check("Clip", cap(Clip(x[:n/2])), n/2)
		}
	}
}

// NaNs sort first and Min and Max return one, as in the standard library.
func TestNaN(t *testing.T) {
	nan := math.NaN()
	x := []float64{3, nan, 1, nan, 2}
	a, b := Clone(x), std.Clone(x)
	Sort(a)
	std.Sort(b)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("Sort: %v, want %v", a, b)
	}
	if !math.IsNaN(Min(x)) || !math.IsNaN(Max(x)) {
		t.Errorf("Min %v, Max %v: want NaN", Min(x), Max(x))
	}
}

// Delete, DeleteFunc and Compact zero what they leave behind.
func TestZeroesTheTail(t *testing.T) {
	x := []int{1, 2, 2, 3}
	Compact(x)
	if x[3] != 0 {
		t.Errorf("Compact left %v", x)
	}
	x = []int{1, 2, 3}
	Delete(x, 0, 1)
	if x[2] != 0 {
		t.Errorf("Delete left %v", x)
	}
}
