package settings

import "fmt"

// Set stores value at a dotted path in the user layer, keeping only what
// differs from the layers below it (overlays and defaults), so that a value
// equal to its default is never persisted:
//
//   - when value deep-equals the merged value of the lower layers at path,
//     path is removed from the user layer;
//   - when both are maps, only their recursive difference is stored (keys
//     whose values differ, and keys the lower layers lack), or path is
//     removed when there is no difference;
//   - otherwise value is stored whole. Lists are always compared and
//     stored whole.
//
// Set replaces what the user layer held at path; intermediate values that
// are not maps are replaced by maps. The empty path is the root, for which
// value must be a map. The store becomes dirty only when the user layer
// actually changed.
//
// value is normalised first: integers of every kind become int (an unsigned
// value beyond the range of int is an error), float32 becomes float64,
// maps with string keys become map[string]any and slices and arrays become
// []any, recursively; strings, bools and nil are kept. Any other type
// (structs, pointers, funcs, channels, maps with other keys) is an error
// naming the path and the type. Integers and floats are different values:
// 1 does not equal 1.0.
//
// Then value is checked (see [Validate]): a value that YAML and JSON cannot
// both represent faithfully (NaN, infinities, integers beyond
// ±MaxSafeInteger, strings that are not UTF-8) or beyond the limits
// (MaxDepth, MaxStringBytes, MaxValueBytes) is refused with an error
// wrapping ErrInvalidValue that names the path, and nothing is stored.
func (s *Store) Set(path string, value any) error {
	keys, err := parsePath(path)
	if err != nil {
		return s.pathError("set", path, err)
	}
	return s.set(keys, value)
}

// Remove deletes path from the user layer, so that the value of the lower
// layers shows again, and removes the parent maps the deletion leaves
// empty. Removing a path the user layer does not have is not an error. The
// empty path clears the whole user layer.
func (s *Store) Remove(path string) error {
	keys, err := parsePath(path)
	if err != nil {
		return s.pathError("remove", path, err)
	}
	return s.remove(keys)
}

// set implements Set for parsed keys.
func (s *Store) set(keys []string, value any) error {
	path := joinPath(keys)
	if s.parseErr != nil {
		return readOnlyError("set", path, s.parseErr)
	}
	v, err := validated(keys, value)
	if err != nil {
		return fmt.Errorf("settings: set: %w", err)
	}
	vm, vIsMap := v.(map[string]any)
	if len(keys) == 0 && !vIsMap {
		return fmt.Errorf("settings: set the root: value of type %T is not a map", value)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	base, hasBase := resolve(s.lower, keys)
	if !hasBase {
		s.storeLocked(keys, v)
		return nil
	}
	if equalValues(v, base) {
		s.removeLocked(keys)
		return nil
	}
	if bm, ok := base.(map[string]any); ok && vIsMap {
		if d := diffMaps(vm, bm); len(d) > 0 {
			s.storeLocked(keys, d)
		} else {
			s.removeLocked(keys)
		}
		return nil
	}
	s.storeLocked(keys, v)
	return nil
}

// remove implements Remove for parsed keys.
func (s *Store) remove(keys []string) error {
	if s.parseErr != nil {
		return readOnlyError("remove", joinPath(keys), s.parseErr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(keys)
	return nil
}

// storeLocked puts v, which the store owns from now on, at keys of the user
// layer; s.mu must be held for writing.
func (s *Store) storeLocked(keys []string, v any) {
	if old, ok := lookupIn(s.user, keys); ok && equalValues(old, v) {
		return
	}
	if len(keys) == 0 {
		clear(s.user)
		for k, e := range v.(map[string]any) {
			s.user[k] = e
		}
	} else {
		storeIn(s.user, keys, v)
	}
	s.changed()
}

// removeLocked deletes keys from the user layer; s.mu must be held for
// writing.
func (s *Store) removeLocked(keys []string) {
	if len(keys) == 0 {
		if len(s.user) == 0 {
			return
		}
		clear(s.user)
	} else if !deleteIn(s.user, keys) {
		return
	}
	s.changed()
}

// changed records a change of the user layer.
func (s *Store) changed() {
	s.dirty = true
	s.gen++
	s.view++
}

// pathError is the error of a write to an invalid path: the read-only error
// when the store is read-only, so that callers always learn about that.
func (s *Store) pathError(op, path string, err error) error {
	if s.parseErr != nil {
		return readOnlyError(op, path, s.parseErr)
	}
	return fmt.Errorf("settings: %s: %w", op, err)
}
