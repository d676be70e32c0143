package manager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tentacle-go/tentacle"
)

// Uninstall removes plugin id the way the Plugin Manager does: its
// OnPluginPendingUninstall callback is always called first; then, unless the
// plugin is enabled and restart-needing, it is disabled and unloaded; then
// its files are removed. A restart-needing plugin keeps running and is
// listed as pending uninstall until the restart; any other is gone from the
// listing. Its settings and data are kept: they show up in [Manager.Orphans]
// until [Manager.Cleanup] removes them.
func (m *Manager) Uninstall(ctx context.Context, id string) (Change, error) {
	var ch Change
	err := m.run(ctx, func() (err error) {
		ch, err = m.uninstallOp(ctx, id)
		return err
	})
	return ch, err
}

func (m *Manager) uninstallOp(ctx context.Context, id string) (Change, error) {
	ch := Change{Plugin: id, Action: "uninstall"}
	r := m.get(id)
	if r == nil {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: ErrUnknownPlugin}
	}
	if r.cand.Bundled || r.cand.Remove == nil {
		return ch, &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: ErrNotManagable}
	}
	m.mu.RLock()
	pending := r.pending == PendingUninstall
	listener, _ := r.mixins[typeUninstallListener].(interface{ OnPluginPendingUninstall() })
	keep := r.state == StateEnabled && m.started && r.restartNeeding()
	m.mu.RUnlock()
	if pending {
		ch.Pending, ch.NeedsRestart = true, true
		return ch, nil
	}
	if listener != nil {
		if err := m.in(r, PhaseUninstall, func() error { listener.OnPluginPendingUninstall(); return nil }); err != nil {
			m.fault(id, PhaseUninstall, "OnPluginPendingUninstall", err)
		}
	}
	var errs []error
	if !keep {
		if err := m.unload(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	if err := guard(r.cand.Remove); err != nil {
		le := &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: fmt.Errorf("remove files: %w", err)}
		m.mu.Lock()
		r.lastErr = le
		m.mu.Unlock()
		return ch, errors.Join(append(errs, le)...)
	}
	if _, err := m.persistDisabled(id, false); err != nil {
		m.log.Warn("could not remove an uninstalled plugin from plugins._disabled", "plugin", id, "error", err)
	}
	m.mu.Lock()
	if keep {
		r.pending = PendingUninstall
		ch.Pending, ch.NeedsRestart = true, true
	} else {
		ch.Applied = true
	}
	m.mu.Unlock()
	if !keep {
		m.forget(id)
	}
	return ch, errors.Join(errs...)
}

// Orphan is what a plugin that is no longer installed left behind.
type Orphan struct {
	Plugin   string `json:"plugin"`
	Settings bool   `json:"settings"` // plugins.<id> in the configuration
	Data     bool   `json:"data"`     // <basedir>/data/<id>
	Disabled bool   `json:"disabled"` // listed in plugins._disabled
}

// Orphans lists settings, data folders and disabled-list entries of
// plugins the manager does not know, sorted by identifier.
func (m *Manager) Orphans() []Orphan {
	found := make(map[string]*Orphan)
	get := func(id string) *Orphan {
		if m.get(id) != nil {
			return nil
		}
		if found[id] == nil {
			found[id] = &Orphan{Plugin: id}
		}
		return found[id]
	}
	if all, ok := m.settings.Get("plugins").(map[string]any); ok {
		for id := range all {
			if strings.HasPrefix(id, "_") {
				continue
			}
			if o := get(id); o != nil {
				o.Settings = true
			}
		}
	}
	if m.opts.BaseDir != "" {
		entries, _ := os.ReadDir(filepath.Join(m.opts.BaseDir, "data"))
		for _, e := range entries {
			if e.IsDir() {
				if o := get(e.Name()); o != nil {
					o.Data = true
				}
			}
		}
	}
	for id := range stringSet(m.settings.Get("plugins._disabled")) {
		if o := get(id); o != nil {
			o.Disabled = true
		}
	}
	out := make([]Orphan, 0, len(found))
	for _, o := range found {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plugin < out[j].Plugin })
	return out
}

// Cleanup removes what plugin id left behind: its settings (plugins.<id>),
// its data folder and its disabled-list entry. It refuses while the plugin
// is still loaded.
func (m *Manager) Cleanup(id string) error {
	if !tentacle.ValidIdentifier(id) {
		return &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: fmt.Errorf("invalid identifier %q", id)}
	}
	return m.run(context.Background(), func() error { return m.cleanup(id) })
}

func (m *Manager) cleanup(id string) error {
	if r := m.get(id); r != nil && r.loaded() {
		return &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: errors.New("cannot clean up a loaded plugin")}
	}
	var errs []error
	if m.settings.Has("plugins." + id) {
		if err := m.settings.Remove("plugins." + id); err != nil {
			errs = append(errs, err)
		} else if err := m.settings.Save(); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := m.persistDisabled(id, false); err != nil {
		errs = append(errs, err)
	}
	if m.opts.BaseDir != "" {
		if err := os.RemoveAll(m.dataFolder(id)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &LifecycleError{Plugin: id, Phase: PhaseUninstall, Err: fmt.Errorf("clean up: %w", err)}
	}
	return nil
}
