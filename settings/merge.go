package settings

import (
	"math"
	"reflect"
)

// copyValue returns a deep copy of the maps and slices in v. Other values
// are returned as they are (they are immutable once normalised).
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// copyMap returns a deep copy of m; a nil map yields an empty one.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

// equalValues reports whether two normalised values are deeply equal. Maps
// and lists compare element by element, NaN equals NaN, and an int never
// equals a float64.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalValues(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case nil, string, bool, int:
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

// mergeInto deep-merges src over dst, modifying dst: where both hold maps
// the maps merge key by key, otherwise src's value replaces dst's. Values
// taken from src are copied.
func mergeInto(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = copyValue(sv)
	}
}

// mergeMaps returns a new map holding the deep merge of layers, which are
// ordered highest first.
func mergeMaps(layers []map[string]any) map[string]any {
	out := map[string]any{}
	for i := len(layers) - 1; i >= 0; i-- {
		mergeInto(out, layers[i])
	}
	return out
}

// diffMaps returns the part of v that differs from base: keys absent from
// base, keys whose values differ, and for keys holding maps on both sides
// the recursive difference when that is not empty. Lists compare whole.
// Values in the result are copied from v.
func diffMaps(v, base map[string]any) map[string]any {
	out := map[string]any{}
	for k, vv := range v {
		bv, ok := base[k]
		if !ok {
			out[k] = copyValue(vv)
			continue
		}
		vm, vIsMap := vv.(map[string]any)
		bm, bIsMap := bv.(map[string]any)
		if vIsMap && bIsMap {
			if d := diffMaps(vm, bm); len(d) > 0 {
				out[k] = d
			}
			continue
		}
		if !equalValues(vv, bv) {
			out[k] = copyValue(vv)
		}
	}
	return out
}
