// Package slices is the interpreter's slices: the standard library's
// functions on []E (not a named slice type S: the interpreter does not
// infer E from S's constraint), and its iterators as plain functions.
// A function that returns S in the standard library returns []E here,
// which a variable of a named slice type accepts all the same.
package slices

import "cmp"

// Equal reports whether the slices have the same length and elements.
func Equal[E comparable](s1, s2 []E) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			return false
		}
	}
	return true
}

// EqualFunc is Equal with eq comparing the elements.
func EqualFunc[S1 ~[]E1, S2 ~[]E2, E1, E2 any](s1 S1, s2 S2, eq func(E1, E2) bool) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if !eq(s1[i], s2[i]) {
			return false
		}
	}
	return true
}

// Compare compares the slices element by element, then by length.
func Compare[E cmp.Ordered](s1 []E, s2 []E) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if c := cmp.Compare(s1[i], s2[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(s1), len(s2))
}

// CompareFunc is Compare with c comparing the elements.
func CompareFunc[S1 ~[]E1, S2 ~[]E2, E1, E2 any](s1 S1, s2 S2, c func(E1, E2) int) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if r := c(s1[i], s2[i]); r != 0 {
			return r
		}
	}
	return cmp.Compare(len(s1), len(s2))
}

// Index returns the index of the first v in s, or -1.
func Index[S ~[]E, E comparable](s S, v E) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

// IndexFunc returns the index of the first element satisfying f, or -1.
func IndexFunc[S ~[]E, E any](s S, f func(E) bool) int {
	for i := range s {
		if f(s[i]) {
			return i
		}
	}
	return -1
}

// Contains reports whether v is in s.
func Contains[S ~[]E, E comparable](s S, v E) bool {
	return Index(s, v) >= 0
}

// ContainsFunc reports whether an element of s satisfies f.
func ContainsFunc[S ~[]E, E any](s S, f func(E) bool) bool {
	return IndexFunc(s, f) >= 0
}

// Insert inserts v at index i, which may be len(s); it panics if i is
// out of range.
func Insert[E any](s []E, i int, v ...E) []E {
	_ = s[i:] // the bounds check
	out := make([]E, 0, len(s)+len(v))
	out = append(out, s[:i]...)
	out = append(out, v...)
	return append(out, s[i:]...)
}

// Delete removes s[i:j], zeroing the elements left past the new length;
// it panics if s[i:j] is not a valid slice of s.
func Delete[E any](s []E, i, j int) []E {
	_ = s[i:j:len(s)] // the bounds check
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	slicesClearTail(s, n)
	return s
}

// DeleteFunc removes the elements for which del returns true, zeroing
// the elements left past the new length.
func DeleteFunc[S ~[]E, E any](s S, del func(E) bool) S {
	return s[:len(slicesDeleteFunc([]E(s), del))]
}

// slicesDeleteFunc is DeleteFunc on []E (the interpreter cannot infer E
// from another function's S, nor convert to S).
func slicesDeleteFunc[E any](s []E, del func(E) bool) []E {
	n := len(s)
	k := 0
	for i := range s {
		if !del(s[i]) {
			s[k] = s[i]
			k++
		}
	}
	s = s[:k]
	slicesClearTail(s, n)
	return s
}

// Replace replaces s[i:j] by v; it panics if s[i:j] is not a valid slice
// of s.
func Replace[E any](s []E, i, j int, v ...E) []E {
	_ = s[i:j] // the bounds check
	n := len(s)
	tail := Clone(s[j:])
	s = append(append(s[:i], v...), tail...)
	slicesClearTail(s, n)
	return s
}

// slicesClearTail zeroes the elements between len(s) and n of s's array.
func slicesClearTail[E any](s []E, n int) {
	if len(s) >= n {
		return
	}
	var zero E
	t := s[len(s):n]
	for i := range t {
		t[i] = zero
	}
}

// Clone returns a copy of s; nil for nil.
func Clone[E any](s []E) []E {
	if s == nil {
		return nil
	}
	return append([]E{}, s...)
}

// Compact replaces runs of equal elements by one.
func Compact[E comparable](s []E) []E {
	return slicesCompactFunc(s, func(a, b E) bool { return a == b })
}

// CompactFunc replaces runs of elements that eq finds equal by the first.
func CompactFunc[S ~[]E, E any](s S, eq func(E, E) bool) S {
	return s[:len(slicesCompactFunc([]E(s), eq))]
}

// slicesCompactFunc is CompactFunc on []E.
func slicesCompactFunc[E any](s []E, eq func(E, E) bool) []E {
	if len(s) < 2 {
		return s
	}
	n := len(s)
	k := 1
	for i := 1; i < len(s); i++ {
		if !eq(s[k-1], s[i]) {
			s[k] = s[i]
			k++
		}
	}
	s = s[:k]
	slicesClearTail(s, n)
	return s
}

// Grow makes room for n more elements; it panics if n is negative.
func Grow[E any](s []E, n int) []E {
	if n < 0 {
		panic("cannot be negative")
	}
	if n -= cap(s) - len(s); n > 0 {
		s = append(s[:cap(s)], make([]E, n)...)[:len(s)]
	}
	return s
}

// Clip removes the unused capacity.
func Clip[E any](s []E) []E {
	return s[:len(s):len(s)]
}

// Reverse reverses s in place.
func Reverse[E any](s []E) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Concat returns a new slice of the slices' elements. It takes a first
// slice apart: the interpreter cannot infer E from variadic arguments
// alone.
func Concat[E any](first []E, rest ...[]E) []E {
	n := len(first)
	for _, s := range rest {
		n += len(s)
	}
	out := append(make([]E, 0, n), first...)
	for _, s := range rest {
		out = append(out, s...)
	}
	return out
}

// Repeat returns count copies of x, one after the other; it panics if
// count is negative.
func Repeat[E any](x []E, count int) []E {
	if count < 0 {
		panic("cannot be negative")
	}
	out := make([]E, 0, len(x)*count)
	for i := 0; i < count; i++ {
		out = append(out, x...)
	}
	return out
}
