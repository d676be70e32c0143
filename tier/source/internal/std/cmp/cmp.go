// Package cmp is the interpreter's cmp: the standard library's functions,
// with the same results.
package cmp

// Ordered is a constraint that permits any ordered type.
type Ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr |
		~float32 | ~float64 |
		~string
}

// Less reports whether x is less than y; a NaN is less than any number.
func Less[T Ordered](x, y T) bool {
	return (cmpIsNaN(x) && !cmpIsNaN(y)) || x < y
}

// Compare returns -1, 0 or +1 as x is less than, equal to or greater than
// y; a NaN is less than any number and equal to a NaN.
func Compare[T Ordered](x, y T) int {
	xNaN, yNaN := cmpIsNaN(x), cmpIsNaN(y)
	if xNaN {
		if yNaN {
			return 0
		}
		return -1
	}
	if yNaN {
		return +1
	}
	if x < y {
		return -1
	}
	if x > y {
		return +1
	}
	return 0
}

// cmpIsNaN reports whether x is a NaN, without importing math.
func cmpIsNaN[T Ordered](x T) bool {
	return x != x
}

// Or returns the first of its arguments that is not the zero value, or
// the zero value. It takes a first value apart: the interpreter cannot
// infer T from variadic arguments alone.
func Or[T comparable](first T, vals ...T) T {
	var zero T
	if first != zero {
		return first
	}
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}
