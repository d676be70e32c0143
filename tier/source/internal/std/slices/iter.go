package slices

import "cmp"

// All returns an iterator over s's indexes and elements.
func All[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Backward returns an iterator over s's indexes and elements, from the
// last.
func Backward[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(i, s[i]) {
				return
			}
		}
	}
}

// Values returns an iterator over s's elements.
func Values[E any](s []E) func(yield func(E) bool) {
	return func(yield func(E) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// AppendSeq appends the values of seq to s.
func AppendSeq[E any](s []E, seq func(yield func(E) bool)) []E {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Collect returns a new slice of the values of seq.
func Collect[E any](seq func(yield func(E) bool)) []E {
	return AppendSeq([]E(nil), seq)
}

// Sorted returns the values of seq, sorted.
func Sorted[E cmp.Ordered](seq func(yield func(E) bool)) []E {
	s := Collect(seq)
	Sort(s)
	return s
}

// SortedFunc returns the values of seq, sorted as SortFunc sorts.
func SortedFunc[E any](seq func(yield func(E) bool), c func(E, E) int) []E {
	s := Collect(seq)
	SortFunc(s, c)
	return s
}

// SortedStableFunc returns the values of seq, sorted as SortStableFunc
// sorts.
func SortedStableFunc[E any](seq func(yield func(E) bool), c func(E, E) int) []E {
	s := Collect(seq)
	SortStableFunc(s, c)
	return s
}

// Chunk returns an iterator over consecutive parts of s of n elements
// (the last may be shorter); it panics if n is less than 1.
func Chunk[E any](s []E, n int) func(yield func([]E) bool) {
	if n < 1 {
		panic("cannot be less than 1")
	}
	return func(yield func([]E) bool) {
		for i := 0; i < len(s); i += n {
			end := i + n
			if end > len(s) {
				end = len(s)
			}
			if !yield(s[i:end:end]) {
				return
			}
		}
	}
}
