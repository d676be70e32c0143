package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
)

// hungFile, in the base directory, lists the plugins whose code hung
// (overran its deadline and was abandoned) in a run: the next start
// quarantines them, until an operator enables one and its enable works.
const hungFile = ".hung_plugins.json"

// hungRecord is one entry of hungFile.
type hungRecord struct {
	Plugin   string    `json:"plugin"`
	Phase    string    `json:"phase"`
	Evidence string    `json:"evidence"`
	At       time.Time `json:"at"`
}

// hungPlugins keeps hungFile.
type hungPlugins struct {
	path string
	mu   sync.Mutex
}

// read returns the records, sorted by plugin; none when the file is
// missing or unreadable (an unreadable one is logged by the caller).
func (h *hungPlugins) read() ([]hungRecord, error) {
	data, err := os.ReadFile(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var recs []hungRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("%s: %w", h.path, err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Plugin < recs[j].Plugin })
	return recs, nil
}

// update rewrites the file with change applied to its records (removed
// when none is left), by a rename so that it is never seen half written.
func (h *hungPlugins) update(change func([]hungRecord) []hungRecord) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	recs, _ := h.read()
	recs = change(recs)
	if len(recs) == 0 {
		if err := os.Remove(h.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	tmp := h.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, h.path)
}

// add records ev, replacing an older record of its plugin.
func (h *hungPlugins) add(ev manager.HungEvent) error {
	return h.update(func(recs []hungRecord) []hungRecord {
		recs = without(recs, ev.Plugin)
		return append(recs, hungRecord{Plugin: ev.Plugin, Phase: string(ev.Phase), Evidence: ev.Evidence, At: time.Now().UTC()})
	})
}

// remove forgets plugin's record.
func (h *hungPlugins) remove(plugin string) error {
	return h.update(func(recs []hungRecord) []hungRecord { return without(recs, plugin) })
}

func without(recs []hungRecord, plugin string) []hungRecord {
	out := recs[:0]
	for _, r := range recs {
		if r.Plugin != plugin {
			out = append(out, r)
		}
	}
	return out
}

// onHung is the manager's OnHung: the plugin is recorded for the next
// start to quarantine.
func (s *Server) onHung(ev manager.HungEvent) {
	s.log.Error("a plugin's code hung; it is quarantined at the next start unless an operator enables it", "plugin", ev.Plugin, "phase", string(ev.Phase), "evidence", ev.Evidence)
	if err := s.hung.add(ev); err != nil {
		s.log.Warn("cannot record a hung plugin for the next start", "plugin", ev.Plugin, "error", err)
	}
}

// deadlines reads plugins._deadlines: phase name (import, check, load,
// enable, register, inject, initialize, migrate, enabled, disable, unload,
// uninstall, call, an activator's name) to milliseconds, or a negative
// number for no deadline. A value of the wrong kind is ignored, and a
// warning says which.
func deadlines(st *settings.Store) (map[manager.Phase]time.Duration, []string) {
	m, ok := st.Get("plugins._deadlines").(map[string]any)
	if !ok {
		if v := st.Get("plugins._deadlines"); v != nil {
			return nil, []string{fmt.Sprintf("plugins._deadlines is %v, not a map of phases to milliseconds: ignored", v)}
		}
		return nil, nil
	}
	var warnings []string
	out := make(map[manager.Phase]time.Duration, len(m))
	for phase, v := range m {
		if n, isInt := v.(int); isInt && n < 0 {
			out[manager.Phase(phase)] = -1
			continue
		}
		if d, ok := millis(v); ok {
			out[manager.Phase(phase)] = d
		} else {
			warnings = append(warnings, fmt.Sprintf("plugins._deadlines: %s is %v, not a positive number of milliseconds (or negative for none): ignored", phase, v))
		}
	}
	sort.Strings(warnings)
	return out, warnings
}
