package settings

import (
	"fmt"
	"strings"
)

// parsePath splits a dotted path into its keys. The empty path is the root
// and yields no keys. A path with an empty key ("a..b", ".a", "a.") is
// invalid.
func parsePath(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	keys := strings.Split(path, ".")
	for _, k := range keys {
		if k == "" {
			return nil, fmt.Errorf("invalid settings path %q: empty key", path)
		}
	}
	return keys, nil
}

// joinPath is the inverse of parsePath, used in error messages.
func joinPath(keys []string) string {
	return strings.Join(keys, ".")
}

// subKeys returns prefix followed by keys in a new slice, so that callers
// never share a backing array.
func subKeys(prefix, keys []string) []string {
	out := make([]string, 0, len(prefix)+len(keys))
	out = append(out, prefix...)
	return append(out, keys...)
}

// lookupIn returns the value at keys inside one tree, walking only through
// maps.
func lookupIn(tree map[string]any, keys []string) (any, bool) {
	var cur any = tree
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// storeIn puts value at keys inside tree, creating maps on the way and
// replacing intermediates that are not maps. keys must not be empty.
func storeIn(tree map[string]any, keys []string, value any) {
	m := tree
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = value
}

// deleteIn removes keys from tree and then every parent map left empty by
// the removal. It reports whether anything was removed. keys must not be
// empty.
func deleteIn(tree map[string]any, keys []string) bool {
	parents := make([]map[string]any, 0, len(keys))
	m := tree
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return false
		}
		parents = append(parents, m)
		m = next
	}
	last := keys[len(keys)-1]
	if _, ok := m[last]; !ok {
		return false
	}
	delete(m, last)
	for i := len(parents) - 1; i >= 0 && len(m) == 0; i-- {
		delete(parents[i], keys[i])
		m = parents[i]
	}
	return true
}
