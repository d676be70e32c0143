package serve

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/tentacle-go/tentacle/manager"
)

// stateWatchInterval is how often the watch looks at the manager's
// generation (one atomic load) for changes that nothing pokes it about: a
// fault, a crash, a lifecycle operation of the manager's own (the restart
// of a crashed plugin). Anything else pokes it at once.
const stateWatchInterval = 200 * time.Millisecond

// stateWatch keeps open pages up to date: it compares the plugins' listing
// with the one it last saw, whatever changed it (a request, the command
// line through the server, another browser, a rescan of the plugins
// folder, an install, a fault, a crash), and pushes to every socket client
//
//	{"pluginsChanged": {"changed": [ids], "removed": [ids], "orphans": [ids]}}
//	{"restartNeeded": {"needed": true, "plugins": [ids]}}
//	{"reload": {"reason": "plugins", "plugins": [ids], "plugin_hash": "..."}}
//
// pluginsChanged when an entry of the listing changed (a page reads the
// listing again; orphans is the current list of orphans), restartNeeded
// when the set of plugins waiting for a restart changed, reload when the
// page's own files changed (the plugin hash of the connected message) or a
// plugin was toggled that needs browser clients to reload.
type stateWatch struct {
	s    *Server
	poke chan struct{}

	// What was last pushed; only the watch's goroutine touches it.
	gen     uint64
	plugins map[string]string // identifier -> digest of its entry
	orphans []string
	restart []string
	ui      map[string]bool // the plugin hash's entries
	reload  map[string]bool // plugins listed with needs_reload
	enabled map[string]bool // plugins listed as enabled
}

func newStateWatch(s *Server) *stateWatch {
	return &stateWatch{s: s, poke: make(chan struct{}, 1)}
}

// changed tells the watch to look now.
func (w *stateWatch) changed() {
	select {
	case w.poke <- struct{}{}:
	default:
	}
}

// run watches until ctx is done.
func (w *stateWatch) run(ctx context.Context) {
	w.look(false)
	tick := time.NewTicker(stateWatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.poke:
			w.look(true)
		case <-tick.C:
			if w.s.mgr.Generation() != w.gen {
				w.look(true)
			}
		}
	}
}

// look reads the listing and, when push is set, pushes what changed since
// the last look.
func (w *stateWatch) look(push bool) {
	w.gen = w.s.mgr.Generation()
	list := w.s.mgr.List()
	orphans := []string{}
	for _, o := range w.s.mgr.Orphans() {
		orphans = append(orphans, o.Plugin)
	}
	plugins := make(map[string]string, len(list))
	reload, enabled := make(map[string]bool), make(map[string]bool)
	for _, in := range list {
		plugins[in.Key] = digest(in)
		reload[in.Key], enabled[in.Key] = in.NeedsReload, in.Enabled
	}
	ui := uiPlugins(list)
	restart := restartNeeded(list)
	old := *w
	w.plugins, w.orphans, w.restart, w.ui, w.reload, w.enabled = plugins, orphans, restart, ui, reload, enabled
	if !push {
		return
	}
	changed, removed := []string{}, []string{}
	for id, d := range plugins {
		if old.plugins[id] != d {
			changed = append(changed, id)
		}
	}
	for id := range old.plugins {
		if _, ok := plugins[id]; !ok {
			removed = append(removed, id)
		}
	}
	sort.Strings(changed)
	sort.Strings(removed)
	hub := w.s.sockets
	if len(changed)+len(removed) > 0 || !slices.Equal(orphans, old.orphans) {
		hub.notice(map[string]any{"pluginsChanged": map[string]any{"changed": changed, "removed": removed, "orphans": orphans}}, true)
	}
	if !slices.Equal(restart, old.restart) {
		hub.notice(restartNeededMessage(restart), false)
	}
	// Reload for a page's own files that changed, and for a reload-needing
	// plugin toggled (listed needs_reload since, or enabled or disabled
	// again).
	var toReload []string
	for _, set := range [][2]map[string]bool{{ui, old.ui}, {old.ui, ui}} {
		for k := range set[0] {
			if !set[1][k] {
				toReload = append(toReload, pluginOfUIKey(k))
			}
		}
	}
	for id, needs := range reload {
		if needs && (!old.reload[id] || enabled[id] != old.enabled[id]) {
			toReload = append(toReload, id)
		}
	}
	if len(toReload) > 0 {
		sort.Strings(toReload)
		toReload = slices.Compact(toReload)
		hub.notice(map[string]any{"reload": map[string]any{"reason": "plugins", "plugins": toReload, "plugin_hash": hashOf(ui)}}, false)
		w.s.log.Info("open pages must reload", "plugins", toReload)
	}
}

// restartNeededMessage is the restartNeeded message for the plugins
// waiting for a restart.
func restartNeededMessage(plugins []string) map[string]any {
	return map[string]any{"restartNeeded": map[string]any{"needed": len(plugins) > 0, "plugins": plugins}}
}

// restartNeeded lists the plugins whose change waits for a restart.
func restartNeeded(list []manager.Info) []string {
	out := []string{}
	for _, in := range list {
		if in.NeedsRestart {
			out = append(out, in.Key)
		}
	}
	return out
}

// digest is what of a plugin's entry a page shows: the entry without what
// changes on its own (the output of its process, leftover goroutines).
func digest(in manager.Info) string {
	in.LeftoverGoroutines = 0
	if in.Process != nil {
		p := *in.Process
		p.LastLines, p.Details = nil, nil
		in.Process = &p
	}
	b, _ := json.Marshal(in)
	return string(b)
}
