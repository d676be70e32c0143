// Package maps is the interpreter's maps: the standard library's
// functions on map[K]V (not a named map type M: the interpreter does not
// infer K and V from M's constraint), and its iterators as plain
// functions.
package maps

// Equal reports whether the two maps hold the same keys and values.
func Equal[K, V comparable](m1 map[K]V, m2 map[K]V) bool {
	if len(m1) != len(m2) {
		return false
	}
	for k, v1 := range m1 {
		if v2, ok := m2[k]; !ok || v1 != v2 {
			return false
		}
	}
	return true
}

// EqualFunc is Equal with eq comparing the values. The keys of m2 have a
// type parameter of their own, K2, the same type as K: the interpreter
// matches inferred types to type parameters in the order the parameters
// mention them, K, V1, K, V2 with m2 map[K]V2.
func EqualFunc[K comparable, V1 any, K2 comparable, V2 any](m1 map[K]V1, m2 map[K2]V2, eq func(V1, V2) bool) bool {
	if len(m1) != len(m2) {
		return false
	}
	for k, v1 := range m1 {
		if v2, ok := m2[any(k).(K2)]; !ok || !eq(v1, v2) {
			return false
		}
	}
	return true
}

// Clone returns a shallow copy of m; nil for nil.
func Clone[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Copy sets every key of src in dst to its value in src.
func Copy[K comparable, V any](dst map[K]V, src map[K]V) {
	for k, v := range src {
		dst[k] = v
	}
}

// DeleteFunc deletes the entries of m for which del returns true.
func DeleteFunc[M ~map[K]V, K comparable, V any](m M, del func(K, V) bool) {
	for k, v := range m {
		if del(k, v) {
			delete(m, k)
		}
	}
}

// All returns an iterator over m's keys and values.
func All[K comparable, V any](m map[K]V) func(yield func(K, V) bool) {
	return func(yield func(K, V) bool) {
		for k, v := range m {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Keys returns an iterator over m's keys.
func Keys[K comparable, V any](m map[K]V) func(yield func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over m's values.
func Values[K comparable, V any](m map[K]V) func(yield func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// Insert adds the pairs of seq to m.
func Insert[K comparable, V any](m map[K]V, seq func(yield func(K, V) bool)) {
	seq(func(k K, v V) bool {
		m[k] = v
		return true
	})
}

// Collect returns a new map of the pairs of seq.
func Collect[K comparable, V any](seq func(yield func(K, V) bool)) map[K]V {
	out := make(map[K]V)
	Insert(out, seq)
	return out
}
