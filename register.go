package tentacle

import (
	"sort"
	"strconv"
	"sync"
)

var (
	registryMu sync.RWMutex
	registry   = make(map[string]*Definition)
)

// Register makes a compiled-in plugin available under id, for hosts that
// list bundled plugins. It is meant to be called from init and panics on
// programmer errors, as database/sql.Register does: an invalid identifier, a
// nil definition or an identifier registered twice.
func Register(id string, def *Definition) {
	if !ValidIdentifier(id) {
		panic("tentacle: Register called with invalid identifier " + quote(id) + " (want [a-z0-9_]+)")
	}
	if def == nil {
		panic("tentacle: Register called with nil definition for " + quote(id))
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[id]; dup {
		panic("tentacle: Register called twice for plugin " + quote(id))
	}
	registry[id] = def
}

// Registered returns the identifiers of the registered plugins, sorted.
func Registered() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Registration returns the definition registered under id.
func Registration(id string) (*Definition, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	def, ok := registry[id]
	return def, ok
}

// MaxIdentifierLength is the longest identifier a plugin may have.
const MaxIdentifierLength = 64

// ValidIdentifier reports whether id is a valid plugin identifier: 1 to
// [MaxIdentifierLength] characters of [a-z0-9_].
func ValidIdentifier(id string) bool {
	if id == "" || len(id) > MaxIdentifierLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func quote(s string) string { return strconv.Quote(s) }

// unregisterAll clears the registry; for tests.
func unregisterAll() {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry = make(map[string]*Definition)
}
