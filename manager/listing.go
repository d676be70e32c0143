package manager

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// Info is one plugin's entry in a listing: the fields of OctoPrint's Plugin
// Manager entry, plus Tentacle's own.
type Info struct {
	Key                  string `json:"key"`
	Name                 string `json:"name"`
	Description          string `json:"description"`
	Author               string `json:"author"`
	Version              string `json:"version"`
	URL                  string `json:"url"`
	License              string `json:"license"`
	PrivacyPolicy        string `json:"privacypolicy"`
	DisablingDiscouraged string `json:"disabling_discouraged"`
	Hidden               bool   `json:"hidden"`
	Bundled              bool   `json:"bundled"`
	Managable            bool   `json:"managable"`
	Enabled              bool   `json:"enabled"`
	Blocklisted          bool   `json:"blocklisted"`
	ForcedDisabled       bool   `json:"forced_disabled"`
	Incompatible         bool   `json:"incompatible"`
	SafeModeVictim       bool   `json:"safe_mode_victim"`
	Quarantined          bool   `json:"quarantined"`
	PendingEnable        bool   `json:"pending_enable"`
	PendingDisable       bool   `json:"pending_disable"`
	PendingInstall       bool   `json:"pending_install"`
	PendingUninstall     bool   `json:"pending_uninstall"`
	Origin               string `json:"origin"`

	// PendingReload: the plugin's code changed, but it is enabled and
	// restart-needing, so its new code runs after a restart. Omitted when
	// false.
	PendingReload bool `json:"pending_reload,omitempty"`

	// Tier is how the plugin's code runs: builtin, source or process.
	Tier string `json:"tier"`
	// State is the lifecycle state: found, loaded, enabled, disabled,
	// unloaded.
	State string `json:"state"`
	// Loaded: the plugin's code is loaded.
	Loaded bool `json:"loaded"`
	// NeedsRestart: a change to this plugin waits for a restart.
	NeedsRestart bool `json:"needs_restart"`
	// NeedsReload: the plugin was toggled and browser clients must reload.
	NeedsReload bool `json:"needs_reload"`
	// RestartNeeding lists why toggling the plugin needs a restart (empty:
	// it does not). For a plugin that is not loaded, these are the reasons
	// known from what it declares ([tier.Declaration]), without running it.
	RestartNeeding []string `json:"restart_needing"`
	// RestartNeedingUnknown: the plugin is not loaded, nothing it declares
	// makes it restart-needing, and what it declares cannot rule that out:
	// whether toggling it needs a restart is known once it loads. Omitted
	// when false.
	RestartNeedingUnknown bool `json:"restart_needing_unknown,omitempty"`
	// Reason says why the plugin does not run, when a gate refused it.
	Reason string `json:"reason,omitempty"`
	// Error is the plugin's last lifecycle error, or null.
	Error *ErrorInfo `json:"error"`
	// Location is the plugin's file, folder or executable.
	Location string `json:"location,omitempty"`
	// Mixins, Hooks and Helpers are what the plugin implements and declares.
	Mixins  []string `json:"mixins"`
	Hooks   []string `json:"hooks"`
	Helpers []string `json:"helpers"`
	// Faults counts the failures of its code outside the lifecycle, whoever
	// called it (the host or another plugin): panics and errors in its hook
	// handlers, helpers and mixin calls, their overruns in a process of its
	// own, a crash of that process. LastFault describes the latest: its
	// phase, what failed and why.
	Faults    int64  `json:"faults"`
	LastFault string `json:"last_fault,omitempty"`
	// Shadowed lists plugins of the same identifier that later origins
	// provided and that were ignored.
	Shadowed []Shadow `json:"shadowed,omitempty"`
	// Warnings are the origin's warnings about the plugin.
	Warnings []string `json:"warnings,omitempty"`
	// LeftoverGoroutines counts, for a plugin that is disabled or unloaded,
	// the goroutines it started from its lifecycle callbacks (or its hook
	// handlers' calls on a host loop) that are still running: goroutines
	// that ignore the plugin's context (see [Manager.Goroutines]). Always 0 for other plugins; omitted when 0.
	LeftoverGoroutines int `json:"leftover_goroutines,omitempty"`
	// Process is the state of a plugin that runs as a process: its pid,
	// crashes, restarts and overruns.
	Process *ProcessInfo `json:"process,omitempty"`
}

// ErrorInfo is a lifecycle error as listings show it.
type ErrorInfo struct {
	Phase   Phase  `json:"phase"`
	Message string `json:"message"`
}

// List returns every known plugin's entry, sorted by key. When a plugin is
// disabled or unloaded, it takes one goroutine profile to fill in
// LeftoverGoroutines.
func (m *Manager) List() []Info {
	m.mu.RLock()
	out := make([]Info, 0, len(m.plugins))
	for _, r := range m.plugins {
		out = append(out, m.infoLocked(r))
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	m.fillLeftovers(out)
	return out
}

// Info returns plugin id's entry.
func (m *Manager) Info(id string) (Info, bool) {
	m.mu.RLock()
	r, ok := m.plugins[id]
	if !ok {
		m.mu.RUnlock()
		return Info{}, false
	}
	in := m.infoLocked(r)
	m.mu.RUnlock()
	entries := []Info{in}
	m.fillLeftovers(entries)
	return entries[0], true
}

// fillLeftovers sets LeftoverGoroutines in the entries of disabled and
// unloaded plugins, from one goroutine profile taken only if there are any.
func (m *Manager) fillLeftovers(entries []Info) {
	need := false
	for _, in := range entries {
		need = need || leftoverState(in.State)
	}
	if !need {
		return
	}
	counts, err := goroutineCounts()
	if err != nil {
		m.log.Warn("could not count plugin goroutines", "error", err)
		return
	}
	for i := range entries {
		if leftoverState(entries[i].State) {
			entries[i].LeftoverGoroutines = counts[entries[i].Key]
		}
	}
}

func leftoverState(state string) bool {
	return state == StateDisabled.String() || state == StateUnloaded.String()
}

// infoLocked builds a listing entry; m.mu must be held. Its flags come
// from the plugin's state ([Manager.flags]), its reason from the gates and
// the changed code not taken up.
func (m *Manager) infoLocked(r *record) Info {
	in := m.metadataInfo(r)
	f := m.flags(r)
	in.State = r.state.String()
	in.Enabled, in.Loaded = f.enabled, f.loaded
	in.PendingEnable, in.PendingDisable = f.pendingEnable, f.pendingDisable
	in.PendingInstall, in.PendingUninstall = f.pendingInstall, f.pendingUninstall
	in.PendingReload, in.NeedsRestart = f.pendingReload, f.needsRestart
	in.NeedsReload = r.needsReload
	in.Blocklisted, in.ForcedDisabled = r.gate.blocklisted, r.gate.forcedDisabled
	in.Incompatible, in.SafeModeVictim, in.Quarantined = r.gate.incompatible, r.gate.safeModeVictim, r.gate.quarantined
	m.restartInfoLocked(r, &in)
	in.Reason = m.reason(r)
	switch {
	case r.lastErr != nil:
		in.Error = errorInfo(r.lastErr)
	case r.change != nil && r.change.err != nil:
		in.Error = errorInfo(r.change.err)
	}
	in.Faults = r.faults.Load()
	if f := r.lastFault.Load(); f != nil {
		in.LastFault = *f
	}
	in.Process = m.processInfo(r)
	in.Mixins, in.Hooks, in.Helpers = m.declared(r)
	return in
}

// metadataInfo is the part of r's entry that comes from its candidate.
func (m *Manager) metadataInfo(r *record) Info {
	pi := r.info()
	md := r.cand.Metadata
	in := Info{
		Key:           r.id,
		Name:          pi.Name,
		Description:   md.Description,
		Author:        md.Author,
		Version:       md.Version,
		URL:           md.URL,
		License:       md.License,
		PrivacyPolicy: md.PrivacyPolicy,
		Bundled:       r.cand.Bundled,
		Managable:     !r.cand.Bundled && r.cand.Remove != nil,
		Origin:        r.cand.Origin,
		Tier:          r.cand.Tier,
		Location:      r.cand.Location,
		Shadowed:      r.shadowed,
		Warnings:      r.cand.Warnings,
	}
	if r.cand.Bundled {
		in.Hidden = md.Hidden
		in.DisablingDiscouraged = md.DisablingDiscouraged
	}
	return in
}

// reason says why r does not run (its gates' reasons), then why changed
// code did not replace its loaded code, and that its code crashed too
// often, when it did.
func (m *Manager) reason(r *record) string {
	var parts []string
	if !r.gate.ok() {
		parts = append(parts, r.gate.reason())
	}
	if r.change != nil && r.change.reason != "" {
		parts = append(parts, r.change.reason)
	}
	if r.crash.gaveUp {
		parts = append(parts, "it crashed too often: enable it to try again")
	}
	return strings.Join(parts, "; ")
}

// processInfo is the entry's process part: for a plugin whose code runs as
// a process, or whose code crashed. Before Start (a command-line tool that
// loaded the plugin to list it), a plugin's process is the tool's own, gone
// when it exits: the listing says what Start would do, and shows none.
func (m *Manager) processInfo(r *record) *ProcessInfo {
	pr, running := r.inst.(tier.ProcessReporter)
	running = running && m.started
	if !running && r.crash.restarts == 0 && r.crash.last == "" {
		return nil
	}
	pi := &ProcessInfo{Restarts: r.crash.restarts, LastCrash: r.crash.last, LastCrashLines: r.crash.lastLines}
	if running {
		pi.ProcessStatus = pr.ProcessStatus()
	}
	return pi
}

// declared returns the mixins r implements (by name) and the hooks and
// helpers it declares, each sorted.
func (m *Manager) declared(r *record) (mixins, hookNames, helpers []string) {
	mixins, hookNames, helpers = []string{}, []string{}, []string{}
	for _, mx := range m.mixins {
		if _, ok := r.mixins[mx.Type]; ok {
			mixins = append(mixins, mx.Name())
		}
	}
	if r.def != nil {
		for name := range r.def.Hooks {
			hookNames = append(hookNames, name)
		}
		for name := range r.def.Helpers {
			helpers = append(helpers, name)
		}
	}
	sort.Strings(mixins)
	sort.Strings(hookNames)
	sort.Strings(helpers)
	return mixins, hookNames, helpers
}

func errorInfo(err error) *ErrorInfo {
	var le *LifecycleError
	if errors.As(err, &le) {
		return &ErrorInfo{Phase: le.Phase, Message: le.Err.Error()}
	}
	return &ErrorInfo{Message: err.Error()}
}

// Err returns plugin id's last lifecycle error, or nil.
func (m *Manager) Err(id string) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if r := m.plugins[id]; r != nil {
		return r.lastErr
	}
	return nil
}

// State returns plugin id's lifecycle state.
func (m *Manager) State(id string) (State, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r := m.plugins[id]
	if r == nil {
		return 0, false
	}
	return r.state, true
}

// HasAnyOfHooks reports whether plugin id declares a handler for a hook
// matching any of the patterns (see [hooks.Match]).
func (m *Manager) HasAnyOfHooks(id string, patterns ...string) bool {
	m.mu.RLock()
	r := m.plugins[id]
	var names []string
	if r != nil && r.def != nil {
		for name := range r.def.Hooks {
			names = append(names, name)
		}
	}
	m.mu.RUnlock()
	for _, name := range names {
		if hooks.Match(name, patterns...) {
			return true
		}
	}
	return false
}

// HasAnyOfMixins reports whether plugin id implements any of the mixin
// interfaces.
func (m *Manager) HasAnyOfMixins(id string, mixins ...reflect.Type) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r := m.plugins[id]
	if r == nil {
		return false
	}
	for _, t := range mixins {
		if _, ok := r.mixins[t]; ok {
			return true
		}
	}
	return false
}

// pluginView is the manager as plugins see it.
type pluginView struct{ m *Manager }

var _ tentacle.PluginManager = (*pluginView)(nil)

func (v *pluginView) Helpers(id string, names ...string) map[string]any {
	v.m.mu.RLock()
	defer v.m.mu.RUnlock()
	r := v.m.plugins[id]
	if r == nil || r.state != StateEnabled || r.enabled.helpers == nil {
		return nil
	}
	out := make(map[string]any, len(names))
	if len(names) == 0 {
		for name, h := range r.enabled.helpers {
			out[name] = h
		}
		return out
	}
	for _, name := range names {
		if h, ok := r.enabled.helpers[name]; ok {
			out[name] = h
		}
	}
	return out
}

func (v *pluginView) Helper(id, name string, fnPtr any) error {
	v.m.mu.RLock()
	r := v.m.plugins[id]
	var h any
	var why string
	switch {
	case r == nil:
		why = "unknown plugin"
	case r.state != StateEnabled || r.enabled.helpers == nil:
		why = "the plugin is not enabled"
	default:
		var ok bool
		if h, ok = r.enabled.helpers[name]; !ok {
			why = "the plugin has no helper of that name"
		}
	}
	v.m.mu.RUnlock()
	if why != "" {
		return fmt.Errorf("helper %q of plugin %q: %w: %s", name, id, tentacle.ErrNoHelper, why)
	}
	if err := wire.Assign(h, fnPtr); err != nil {
		return fmt.Errorf("helper %q of plugin %q: %w: %w", name, id, tentacle.ErrNoHelper, err)
	}
	return nil
}

func (v *pluginView) Plugin(id string) (tentacle.PluginInfo, bool) {
	v.m.mu.RLock()
	defer v.m.mu.RUnlock()
	r := v.m.plugins[id]
	if r == nil {
		return tentacle.PluginInfo{}, false
	}
	return r.info(), true
}

func (v *pluginView) Plugins() []tentacle.PluginInfo {
	v.m.mu.RLock()
	defer v.m.mu.RUnlock()
	out := make([]tentacle.PluginInfo, 0, len(v.m.plugins))
	for _, r := range v.m.plugins {
		out = append(out, r.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out
}

func (v *pluginView) IsEnabled(id string) bool {
	v.m.mu.RLock()
	defer v.m.mu.RUnlock()
	r := v.m.plugins[id]
	return r != nil && r.state == StateEnabled
}

func (v *pluginView) Handlers(hook string) []tentacle.HookEntry { return v.m.hooks.Handlers(hook) }

// DeclaredHook is one hook handler a plugin declares, as its definition
// states it (before any configuration override).
type DeclaredHook struct {
	Hook     string
	Order    int
	HasOrder bool
}

// DeclaredHooks returns the hook handlers loaded plugin id declares, sorted
// by hook name: what a tool shows without enabling the plugin.
func (m *Manager) DeclaredHooks(id string) []DeclaredHook {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r := m.plugins[id]
	if r == nil || r.def == nil {
		return nil
	}
	out := make([]DeclaredHook, 0, len(r.def.Hooks))
	for name, v := range r.def.Hooks {
		h := hooks.Unwrap(v)
		out = append(out, DeclaredHook{Hook: name, Order: h.Order, HasOrder: h.HasOrder})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hook < out[j].Hook })
	return out
}

// SortingOrders returns plugins._sortingOrder as the configuration holds it
// (plugin -> hook or context -> order).
func (m *Manager) SortingOrders() map[string]map[string]int {
	return m.readConfig().sortingOrder
}
