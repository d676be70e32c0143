package settings

import (
	"fmt"
	"slices"
	"sync"
)

// Store is a layered settings tree. Its layers, highest first, are the user
// layer (what the settings file holds), the overlays (the newest added is
// the highest), the plugin defaults (each placed under plugins.<id>) and
// the host defaults. Reads see the deep merge of all layers; writes change
// only the user layer.
//
// A Store is safe for concurrent use. Its getters return copies, never the
// store's own maps or slices. Make one with New or Open; the zero value is
// not usable.
type Store struct {
	path string

	// saveMu serialises Save, so that two writes of the file never
	// interleave; it is taken before mu.
	saveMu sync.Mutex

	mu       sync.RWMutex
	user     map[string]any // the user layer; never replaced, so layers stays valid
	overlays []overlay      // oldest first
	plugins  map[string]any // {"plugins": {id: defaults}} (empty without any): one layer for every plugin's defaults, changed in place
	host     map[string]any
	layers   []map[string]any    // user, then lower: rebuilt by relayer
	lower    []map[string]any    // every layer below the user layer, highest first
	dirty    bool                // the user layer changed since the last load or save
	gen      uint64              // counts changes of the user layer
	view     uint64              // counts changes of any layer: what Get returns may have changed
	writes   int                 // files written by Save, for tests
	parseErr *ParseError         // set when the file did not parse: the store is read-only
	ignored  []InvalidValueError // values of the file that Open left out
}

// overlay is one named overlay layer.
type overlay struct {
	key  string
	data map[string]any
}

// New returns a store with the given host defaults and an empty user layer
// that lives only in memory: Save does nothing and returns nil.
//
// The defaults are normalised like the values given to Set (see Set), but
// values that cannot be normalised are kept as they are instead of causing
// an error; the store never writes defaults, so they only need to make
// sense to the code reading them. New keeps no reference to hostDefaults.
func New(hostDefaults map[string]any) *Store {
	s := &Store{
		user:    map[string]any{},
		plugins: map[string]any{},
		host:    normalizeLayer(hostDefaults),
	}
	s.relayer()
	return s
}

// Open returns a store with the given host defaults whose user layer is
// read from the YAML file at path and which Save writes back to that file.
// A missing file is an empty user layer; the file is created by the first
// Save that has something to write. An empty file, or one holding only
// comments or null, is an empty user layer too.
//
// When the file does not parse, or its top level is not a mapping, Open
// returns a *ParseError and also a usable store that serves the layers
// below the user layer. That store is read-only: Set, Remove and Save
// return an error wrapping both ErrReadOnly and the *ParseError, and the
// file is never written. When the file cannot be read at all (for example
// because of its permissions), Open returns a nil store and the error.
//
// Only the first YAML document of the file is read. Scalar keys are read
// as strings (the key "1" of "1: x"), and so are timestamps, so that values
// round-trip unchanged.
//
// A value of the file that Set would refuse (see Validate), written by
// hand or by an older version, never reaches a reader: Open leaves it out
// of the user layer, so that its path reads as its default, and reports it
// in Ignored. Opening does not make the store dirty, so the file keeps the
// value until the next Save that has something to write, which writes the
// file without it. Maps are entered, so that only their bad entries are
// left out; any other value, a list included, is left out whole.
func Open(path string, hostDefaults map[string]any) (*Store, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, fmt.Errorf("settings: open %s: %w", path, err)
	}
	s := New(hostDefaults)
	s.path = path
	if len(data) == 0 {
		return s, nil
	}
	user, ignored, perr := parseConfig(path, data)
	if perr != nil {
		s.parseErr = perr
		return s, perr
	}
	for k, v := range user {
		s.user[k] = v
	}
	s.ignored = ignored
	return s, nil
}

// Ignored returns the values of the settings file that Open left out
// because the store does not take them (see Open and Validate), in path
// order, each with its line in the file when known. They stay listed for
// the life of the store, also after a Save has written the file without
// them.
func (s *Store) Ignored() []InvalidValueError {
	return slices.Clone(s.ignored)
}

// Writable returns nil when the store's writes can succeed, and otherwise
// the error that Set, Remove and Save return: a store whose file did not
// parse is read-only, and the error wraps ErrReadOnly and the *ParseError.
// A caller that must not report a change as made when it cannot be saved
// (an enable recorded in the configuration) asks first.
func (s *Store) Writable() error {
	if s.parseErr != nil {
		return readOnlyError("write", "", s.parseErr)
	}
	return nil
}

// Path returns the path of the settings file, or "" for a store made by
// New.
func (s *Store) Path() string { return s.path }

// Dirty reports whether the user layer changed since it was loaded or last
// saved.
func (s *Store) Dirty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dirty
}

// UserData returns a deep copy of the user layer: what the settings file
// holds, or will hold after the next Save.
func (s *Store) UserData() map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return copyMap(s.user)
}

// AddOverlay adds a layer above the defaults and below the user layer,
// rooted at the root of the tree. It becomes the highest overlay; an
// overlay with the same key is removed first, so re-adding a key moves it
// to the top. data is normalised like the host defaults given to New.
func (s *Store) AddOverlay(key string, data map[string]any) {
	layer := normalizeLayer(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overlays = slices.DeleteFunc(s.overlays, func(o overlay) bool { return o.key == key })
	s.overlays = append(s.overlays, overlay{key: key, data: layer})
	s.relayer()
}

// RemoveOverlay removes the overlay with the given key and reports whether
// there was one.
func (s *Store) RemoveOverlay(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.overlays)
	s.overlays = slices.DeleteFunc(s.overlays, func(o overlay) bool { return o.key == key })
	if len(s.overlays) == n {
		return false
	}
	s.relayer()
	return true
}

// SetPluginDefaults sets the defaults layer of plugin id, replacing any
// earlier one. The layer is placed under plugins.<id>, where id is one key
// even when it contains dots (reach such a plugin's settings through
// Plugin, not through dotted paths). defaults is normalised like the host
// defaults given to New; nil means no defaults.
func (s *Store) SetPluginDefaults(id string, defaults map[string]any) {
	layer := normalizeLayer(defaults)
	s.mu.Lock()
	defer s.mu.Unlock()
	byID, _ := s.plugins["plugins"].(map[string]any)
	if byID == nil {
		byID = map[string]any{}
		s.plugins["plugins"] = byID
	}
	byID[id] = layer
	s.view++
}

// RemovePluginDefaults removes the defaults layer of plugin id, if any.
func (s *Store) RemovePluginDefaults(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if byID, _ := s.plugins["plugins"].(map[string]any); byID != nil {
		delete(byID, id)
		if len(byID) == 0 {
			delete(s.plugins, "plugins")
		}
	}
	s.view++
}

// Generation counts the changes of every layer: two reads of the same path
// under the same generation return the same value. A reader that keeps
// values (a plugin in another process) keeps them for one generation.
func (s *Store) Generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.view
}

// Plugin returns the view of plugin id's settings, bound to plugins.<id>.
// As with SetPluginDefaults, id is a single key even when it contains dots.
func (s *Store) Plugin(id string) *PluginSettings {
	return &PluginSettings{store: s, prefix: []string{"plugins", id}}
}

// relayer rebuilds the ordered layer lists; s.mu must be held for writing.
func (s *Store) relayer() {
	layers := make([]map[string]any, 0, 3+len(s.overlays))
	layers = append(layers, s.user)
	for i := len(s.overlays) - 1; i >= 0; i-- {
		layers = append(layers, s.overlays[i].data)
	}
	// Plugin defaults are disjoint by identifier, so one layer holds them
	// all and adding one costs no relayering.
	layers = append(layers, s.plugins)
	layers = append(layers, s.host)
	s.layers, s.lower = layers, layers[1:]
	s.view++
}

// normalizeLayer normalises a defaults or overlay map, keeping values it
// cannot normalise as they are. The result is never nil and shares nothing
// with m.
func normalizeLayer(m map[string]any) map[string]any {
	n, _ := normalize(m, "", lenient) // lenient mode has no errors
	return n.(map[string]any)
}
