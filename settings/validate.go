package settings

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Limits of the values the store takes (see [Validate]).
const (
	// MaxSafeInteger is the largest integer a setting may hold, 2^53-1, and
	// -MaxSafeInteger the smallest. JavaScript, and many other JSON
	// decoders, read every number as a float64, which holds every integer
	// only up to 2^53: a larger one would reach a browser changed
	// (9007199254740993 reads as 9007199254740992). A larger number can be
	// stored as a string.
	MaxSafeInteger = 1<<53 - 1
	// MaxDepth is how deep a value may sit below the root of the
	// configuration, counted in map keys and list positions:
	// plugins.<id>.a is at depth 3, the elements of a list there at 4.
	MaxDepth = 32
	// MaxStringBytes bounds the length of each string and each map key, in
	// bytes.
	MaxStringBytes = 64 << 10
	// MaxValueBytes bounds the size of one value given to Set: the bytes
	// of its strings and keys plus 8 for every other scalar, map and list
	// it holds, about its size as JSON or YAML.
	MaxValueBytes = 1 << 20
)

// ErrInvalidValue is wrapped by the error of a write (Set, GlobalSet, a
// plugin's Settings().Set) whose value the store does not take, and by
// [Validate]'s. Such an error is an [*InvalidValueError], which names the
// path. Check for it with errors.Is.
var ErrInvalidValue = errors.New("invalid settings value")

// InvalidValueError reports a value the store does not take: one that YAML
// and JSON cannot both represent faithfully, or beyond the limits (see
// [Validate]). It wraps [ErrInvalidValue].
type InvalidValueError struct {
	// Path is the dotted path of the value refused, from the root of the
	// configuration (a list element is named by its index,
	// plugins.demo.list.2); "" is the root.
	Path string
	// Line is the value's line in the settings file, for a value that
	// [Open] left out ([Store.Ignored]); 0 otherwise or when unknown.
	Line int
	// Reason says what is wrong, without the path.
	Reason string
}

// Error returns `invalid value at "<path>": <reason>`.
func (e *InvalidValueError) Error() string {
	where := strconv.Quote(e.Path)
	if e.Path == "" {
		where = "the root"
	}
	return "invalid value at " + where + ": " + e.Reason
}

// Is reports whether target is ErrInvalidValue.
func (e *InvalidValueError) Is(target error) bool { return target == ErrInvalidValue }

// Validate reports whether Set would take value at path, without storing
// anything: nil, or an error wrapping ErrInvalidValue (an
// [*InvalidValueError] naming the first bad value's path) or, for a path
// that is not valid, the path's error. A caller that stores several values
// (the server's settings API) validates them all first, so that it stores
// all or none.
//
// The store takes only what YAML (config.yaml) and JSON (the settings API,
// plugins in processes of their own) both represent faithfully, and what
// reads back as it was stored:
//
//   - numbers are finite (no NaN, no infinities);
//   - integers lie within ±MaxSafeInteger (2^53-1), which every JSON client
//     reads exactly; floats may be any finite float64;
//   - strings and map keys are valid UTF-8 of at most MaxStringBytes bytes;
//   - map keys are strings, and values are of the settings model (see Set);
//   - nothing sits deeper than MaxDepth below the root, and the value is
//     at most MaxValueBytes in size.
func Validate(path string, value any) error {
	keys, err := parsePath(path)
	if err != nil {
		return err
	}
	_, err = validated(keys, value)
	return err
}

// validated normalises value for keys (strictly, as Set does) and checks
// it, returning the normalised value.
func validated(keys []string, value any) (any, error) {
	path := joinPath(keys)
	for i, k := range keys {
		if reason := badString(k); reason != "" {
			return nil, &InvalidValueError{Path: joinPath(keys[:i+1]), Reason: "key " + reason}
		}
	}
	v, err := normalize(value, path, strict)
	if err != nil {
		return nil, err
	}
	if err := check(v, path, len(keys)); err != nil {
		return nil, err
	}
	return v, nil
}

// check reports the first problem of the normalised value v, at path,
// which sits depth keys below the root: an *InvalidValueError, or nil.
// A value with a problem is walked again with maps in key order, so that
// the problem reported is always the same one.
func check(v any, path string, depth int) error {
	c := checker{root: path}
	if c.value(v, path, depth) {
		return nil
	}
	c = checker{root: path, sorted: true}
	c.value(v, path, depth)
	return c.err
}

// checker walks a value for check, adding up its size.
type checker struct {
	root   string // the path of the value checked, where its size is reported
	sorted bool   // walk maps in key order
	size   int
	err    *InvalidValueError
}

// fail records the problem at path and returns false.
func (c *checker) fail(path, format string, args ...any) bool {
	c.err = &InvalidValueError{Path: path, Reason: fmt.Sprintf(format, args...)}
	return false
}

// safeInteger reports whether x lies within ±MaxSafeInteger.
func safeInteger(x int64) bool { return x <= MaxSafeInteger && x >= -MaxSafeInteger }

// value checks v and reports whether it is good.
func (c *checker) value(v any, path string, depth int) bool {
	if depth > MaxDepth {
		return c.fail(path, "nested deeper than %d levels below the root", MaxDepth)
	}
	c.size += 8
	switch x := v.(type) {
	case nil, bool:
	case int:
		if !safeInteger(int64(x)) {
			return c.fail(path, "the integer %d is beyond ±%d (2^53-1), the integers every JSON client reads exactly (store it as a string)", x, int64(MaxSafeInteger))
		}
	case int64: // yaml.v3's integers beyond int on 32-bit systems
		if !safeInteger(x) {
			return c.fail(path, "the integer %d is beyond ±%d (2^53-1), the integers every JSON client reads exactly (store it as a string)", x, int64(MaxSafeInteger))
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return c.fail(path, "%v is not a finite number", x)
		}
	case string:
		if reason := badString(x); reason != "" {
			return c.fail(path, "the string %s", reason)
		}
		c.size += len(x)
	case []any:
		for i, e := range x {
			if !c.value(e, childPath(path, strconv.Itoa(i)), depth+1) {
				return false
			}
		}
	case map[string]any:
		if !c.sorted {
			for k, e := range x {
				if !c.entry(k, e, path, depth) {
					return false
				}
			}
			break
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !c.entry(k, x[k], path, depth) {
				return false
			}
		}
	default:
		if u, ok := v.(uint64); ok {
			// yaml.v3 reads integers beyond int64 as uint64.
			return c.fail(path, "the integer %d is beyond ±%d (2^53-1), the integers every JSON client reads exactly (store it as a string)", u, int64(MaxSafeInteger))
		}
		return c.fail(path, "unsupported type %T", v)
	}
	if c.size > MaxValueBytes {
		return c.fail(c.root, "larger than %d bytes", MaxValueBytes)
	}
	return true
}

// entry checks the entry k: e of a map at path, which sits depth keys
// below the root.
func (c *checker) entry(k string, e any, path string, depth int) bool {
	p := childPath(path, k)
	if reason := badString(k); reason != "" {
		return c.fail(p, "key %s", reason)
	}
	c.size += len(k)
	return c.value(e, p, depth+1)
}

// badString says what is wrong with a string or key, or "" when nothing.
func badString(s string) string {
	if len(s) > MaxStringBytes {
		return fmt.Sprintf("is %d bytes long, more than %d", len(s), MaxStringBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%.40q is not valid UTF-8", s)
	}
	return ""
}
