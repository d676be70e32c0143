package settings

import "math"

// Get returns the merged value at a dotted path such as "server.port"; the
// empty path is the root. Maps are merged across all layers key by key,
// recursively, the higher layer winning each key; any other value (scalars
// and lists) comes whole from the highest layer that has one, and hides
// the layers below it. Get returns nil when no layer has the path or the
// path is invalid. Maps and slices in the result are copies the caller may
// change.
//
// Keys cannot contain dots: a path is split at every dot.
func (s *Store) Get(path string) any {
	v, _ := s.Lookup(path)
	return v
}

// Lookup is like Get and also reports whether a value was found, telling
// an absent path from one holding null.
func (s *Store) Lookup(path string) (any, bool) {
	keys, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	return s.lookup(keys)
}

// Default returns the merged value at path of the layers below the user
// layer (overlays and defaults): what the path reads as once the user's
// value is removed.
func (s *Store) Default(path string) (any, bool) {
	keys, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return resolve(s.lower, keys)
}

// UserValue returns a copy of the value at path in the user layer only
// (what config.yaml holds there).
func (s *Store) UserValue(path string) (any, bool) {
	keys, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return resolve([]map[string]any{s.user}, keys)
}

// Has reports whether any layer has a value at path.
func (s *Store) Has(path string) bool {
	_, ok := s.Lookup(path)
	return ok
}

// GetString returns the string at path, or "" when it is absent or not a
// string.
func (s *Store) GetString(path string) string { return asString(s.Get(path)) }

// GetInt returns the integer at path, or 0 when it is absent or not an
// integer. Integer kinds and floats with no fractional part (within the
// range of int) count as integers.
func (s *Store) GetInt(path string) int { return asInt(s.Get(path)) }

// GetFloat returns the number at path as a float64, or 0 when it is absent
// or not a number. Integers count as numbers.
func (s *Store) GetFloat(path string) float64 { return asFloat(s.Get(path)) }

// GetBool returns the bool at path, or false when it is absent or not a
// bool. Strings such as "true" do not count.
func (s *Store) GetBool(path string) bool { return asBool(s.Get(path)) }

// lookup resolves keys across all layers under the read lock.
func (s *Store) lookup(keys []string) (any, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return resolve(s.layers, keys)
}

// resolve returns the merged value at keys of layers (ordered highest
// first), as a copy the caller owns. Walking down, a layer holding a
// non-map value at some key hides that key in every layer below it.
func resolve(layers []map[string]any, keys []string) (any, bool) {
	cands := make([]map[string]any, 0, len(layers))
	cands = append(cands, layers...)
	for i, k := range keys {
		next := cands[:0] // filtered in place: writes never overtake reads
		for _, m := range cands {
			v, ok := m[k]
			if !ok {
				continue
			}
			if vm, isMap := v.(map[string]any); isMap {
				next = append(next, vm)
				continue
			}
			if len(next) > 0 {
				break // hidden by the maps above it, and hides those below
			}
			if i == len(keys)-1 {
				return copyValue(v), true
			}
			return nil, false // the path goes through a non-map value
		}
		if len(next) == 0 {
			return nil, false
		}
		cands = next
	}
	return mergeMaps(cands), true
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func asInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt && x < -math.MinInt {
			return int(x)
		}
	case int8:
		return int(x)
	case int16:
		return int(x)
	case int32:
		return int(x)
	case int64:
		return int(x)
	case uint:
		if uint64(x) <= math.MaxInt {
			return int(x)
		}
	case uint8:
		return int(x)
	case uint16:
		return int(x)
	case uint32:
		return int(x)
	case uint64:
		if x <= math.MaxInt {
			return int(x)
		}
	case float32:
		return asInt(float64(x))
	}
	return 0
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case float32:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return 0
}

func asBool(v any) bool {
	b, _ := v.(bool)
	return b
}
