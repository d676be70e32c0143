package sdk

import (
	"sync"

	"github.com/tentacle-go/tentacle/internal/lean"
)

// settingsCache keeps the answers to the plugin's reads of its settings for
// the generation of the host's settings that the host's calls carry
// (lean.CallRequest.settings_generation), and answers reads from them
// while a call of that generation is in flight: a handler that reads a
// setting on every G-code line asks the host once per generation rather
// than once per line, and sees the settings as they are when its call
// began. Outside calls (a goroutine of the plugin's own between them) every
// read asks the host. A call of another generation, and a write of the
// plugin's, drop what is kept.
type settingsCache struct {
	mu       sync.Mutex
	gen      uint64 // the generation of the entries
	inFlight int    // calls in flight that carried a generation
	entries  map[settingsKey]*lean.SettingsResponse
}

type settingsKey struct{ op, path string }

// cacheable reports whether a settings operation only reads.
func cacheable(op string) bool {
	switch op {
	case "get", "has", "all", "global_get":
		return true
	}
	return false
}

// begin records a call in flight that carried generation gen (0: none).
func (c *settingsCache) begin(gen uint64) {
	if gen == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		c.entries, c.gen = nil, gen
	}
	c.inFlight++
}

// end records the end of a call begin recorded; what is kept stays for
// the next call of the same generation.
func (c *settingsCache) end(gen uint64) {
	if gen == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
}

// get returns the kept answer to a read while a call is in flight.
func (c *settingsCache) get(op, path string) (*lean.SettingsResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == 0 {
		return nil, false
	}
	r, ok := c.entries[settingsKey{op, path}]
	return r, ok
}

// put keeps the answer to a read made under generation gen, while a call
// of that generation is in flight.
func (c *settingsCache) put(gen uint64, op, path string, r *lean.SettingsResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == 0 || gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[settingsKey]*lean.SettingsResponse{}
	}
	c.entries[settingsKey{op, path}] = r
}

// generation is the generation of the calls in flight, 0 when none is.
func (c *settingsCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == 0 {
		return 0
	}
	return c.gen
}

// drop forgets every kept answer: the plugin changed its settings.
func (c *settingsCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}
