package hooks

import (
	"cmp"
	"slices"
)

// statsFor returns plugin's stats of the hook, creating them (timed or
// not) on first use, and anew when the plugin comes back timed otherwise
// (reinstalled into another tier: its counts start again, a reset to a
// scraper). A timed handler's profile labels name tier. Called with
// Registry.mu held.
func (hs *hookState) statsFor(plugin string, timed bool, tier string) *Stats {
	s := hs.stats[plugin]
	if s == nil || s.timed != timed {
		if hs.stats == nil {
			hs.stats = make(map[string]*Stats)
		}
		s = &Stats{timed: timed, plugin: plugin, hook: hs.name}
		hs.stats[plugin] = s
	}
	if timed {
		s.setTier(tier)
	}
	return s
}

// statsOf returns plugin's stats of hook name, or nil when it never had a
// handler of it.
func (r *Registry) statsOf(plugin, name string) *Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hs := r.hooks[r.canonical(name)]; hs != nil {
		return hs.stats[plugin]
	}
	return nil
}

// Stats returns the counts of every handler that was ever registered, by
// hook name and plugin; a removed handler keeps its counts. See [Stats].
func (r *Registry) Stats() []HandlerStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var list []HandlerStats
	for name, hs := range r.hooks {
		for plugin, s := range hs.stats {
			list = append(list, s.snapshot(plugin, name))
		}
	}
	slices.SortFunc(list, func(a, b HandlerStats) int {
		return cmp.Or(cmp.Compare(a.Hook, b.Hook), cmp.Compare(a.Plugin, b.Plugin))
	})
	return list
}
