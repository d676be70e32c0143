package settings

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// normMode selects how normalize treats values it cannot convert.
type normMode int

const (
	// strict makes unsupported values an error (Set).
	strict normMode = iota
	// lenient keeps unsupported values as they are (overlays, defaults).
	lenient
	// fromFile is lenient and also turns non-string map keys into their
	// string form; yaml.v3 produces such keys for documents like "1: x".
	fromFile
)

// normalize converts v into the settings value model, recursively:
//
//   - every integer kind becomes int (an unsigned value that does not fit is
//     unsupported, kept as is outside strict mode);
//   - float32 becomes the float64 with the same shortest decimal form, so
//     float32(0.1) becomes 0.1 rather than 0.10000000149011612;
//   - string and bool kinds become string and bool, nil stays nil;
//   - maps with string keys become map[string]any (a nil map becomes an
//     empty one), as do map[any]any whose keys are all strings;
//   - slices and arrays become []any (a nil slice becomes an empty one).
//
// Anything else (structs, pointers, funcs, channels, complex numbers, maps
// with other keys) is unsupported: an *InvalidValueError in strict mode,
// kept as is otherwise. path is the dotted path of v, used in errors.
func normalize(v any, path string, mode normMode) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int, float64:
		return v, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e, childPath(path, k), mode)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e, childPath(path, strconv.Itoa(i)), mode)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	return normalizeReflect(v, path, mode)
}

// normalizeReflect handles the values normalize has no fast path for.
func normalizeReflect(v any, path string, mode normMode) (any, error) {
	rv := reflect.ValueOf(v)
	unsupported := func(why string) (any, error) {
		if mode == strict {
			reason := "unsupported type " + rv.Type().String()
			if why != "" {
				reason += ": " + why
			}
			return nil, &InvalidValueError{Path: path, Reason: reason}
		}
		return v, nil
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return integer(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return unsupported("overflows int64")
		}
		return integer(int64(u)), nil
	case reflect.Float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(rv.Float(), 'g', -1, 32), 64)
		return f, nil
	case reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			n, err := normalize(rv.Index(i).Interface(), childPath(path, strconv.Itoa(i)), mode)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case reflect.Map:
		return normalizeMap(rv, path, mode, unsupported)
	}
	return unsupported("")
}

// normalizeMap converts a map whose keys are strings (by kind, or dynamic
// strings in an interface-keyed map) into map[string]any.
func normalizeMap(rv reflect.Value, path string, mode normMode, unsupported func(string) (any, error)) (any, error) {
	keyKind := rv.Type().Key().Kind()
	if keyKind != reflect.String && keyKind != reflect.Interface {
		if mode != fromFile {
			return unsupported("map key is not a string")
		}
	}
	out := make(map[string]any, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		var key string
		k := iter.Key()
		if keyKind == reflect.Interface {
			k = k.Elem()
		}
		switch {
		case k.IsValid() && k.Kind() == reflect.String:
			key = k.String()
		case mode == fromFile:
			key = fmt.Sprint(iter.Key().Interface())
		default:
			return unsupported("map key is not a string")
		}
		n, err := normalize(iter.Value().Interface(), childPath(path, key), mode)
		if err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, nil
}

// childPath appends key to a dotted path.
func childPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// integer is i as an int where it fits, as on every 64-bit system, and
// as an int64 where it does not (32-bit systems), so that no integer is
// cut short.
func integer(i int64) any {
	if i < math.MinInt || i > math.MaxInt {
		return i
	}
	return int(i)
}
