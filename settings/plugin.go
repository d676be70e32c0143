package settings

import tentacle "github.com/tentacle-go/tentacle"

var _ tentacle.Settings = (*PluginSettings)(nil)

// PluginSettings is a plugin's view of a Store, bound to plugins.<id>: its
// paths are relative to that subtree, so "server.port" means
// plugins.<id>.server.port, and the empty path means the subtree itself.
// GlobalGet and GlobalSet take paths from the root. It implements
// tentacle.Settings and, like the Store, is safe for concurrent use. Get it
// from Store.Plugin.
type PluginSettings struct {
	store  *Store
	prefix []string
}

// Generation is the store's generation (Store.Generation).
func (p *PluginSettings) Generation() uint64 { return p.store.Generation() }

// keys returns the root keys of a path relative to the plugin's subtree.
func (p *PluginSettings) keys(path string) ([]string, error) {
	rel, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	return subKeys(p.prefix, rel), nil
}

// Get returns the merged value at path, or nil; see Store.Get.
func (p *PluginSettings) Get(path string) any {
	keys, err := p.keys(path)
	if err != nil {
		return nil
	}
	v, _ := p.store.lookup(keys)
	return v
}

// GetString returns the string at path, or "" when it is absent or not a
// string.
func (p *PluginSettings) GetString(path string) string { return asString(p.Get(path)) }

// GetInt returns the integer at path, or 0 when it is absent or not an
// integer; see Store.GetInt.
func (p *PluginSettings) GetInt(path string) int { return asInt(p.Get(path)) }

// GetFloat returns the number at path, or 0 when it is absent or not a
// number.
func (p *PluginSettings) GetFloat(path string) float64 { return asFloat(p.Get(path)) }

// GetBool returns the bool at path, or false when it is absent or not a
// bool.
func (p *PluginSettings) GetBool(path string) bool { return asBool(p.Get(path)) }

// Has reports whether any layer has a value at path.
func (p *PluginSettings) Has(path string) bool {
	keys, err := p.keys(path)
	if err != nil {
		return false
	}
	_, ok := p.store.lookup(keys)
	return ok
}

// Set stores value at path, keeping only its difference from the defaults;
// see Store.Set.
func (p *PluginSettings) Set(path string, value any) error {
	keys, err := p.keys(path)
	if err != nil {
		return p.store.pathError("set", path, err)
	}
	return p.store.set(keys, value)
}

// Remove deletes path from the user layer, so the default shows again; see
// Store.Remove.
func (p *PluginSettings) Remove(path string) error {
	keys, err := p.keys(path)
	if err != nil {
		return p.store.pathError("remove", path, err)
	}
	return p.store.remove(keys)
}

// All returns a deep copy of the plugin's merged settings, an empty map
// when it has none.
func (p *PluginSettings) All() map[string]any {
	v, _ := p.store.lookup(p.prefix)
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// Save saves the whole store; see Store.Save.
func (p *PluginSettings) Save() error { return p.store.Save() }

// GlobalGet returns the merged value at a path from the root; see
// Store.Get.
func (p *PluginSettings) GlobalGet(path string) any { return p.store.Get(path) }

// GlobalSet stores value at a path from the root; see Store.Set.
func (p *PluginSettings) GlobalSet(path string, value any) error { return p.store.Set(path, value) }
