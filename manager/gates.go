package manager

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/tentacle-go/tentacle/tier"
)

// BlockEntry keeps a plugin from running: all its versions, or those
// matching Versions, a semver constraint such as "<1.2.1".
type BlockEntry struct {
	Plugin   string `json:"plugin" yaml:"plugin"`
	Versions string `json:"versions,omitempty" yaml:"versions,omitempty"`
}

// gateResult records which gates refused a plugin, and why.
type gateResult struct {
	notAPlugin     bool
	invalid        bool
	forcedDisabled bool
	blocklisted    bool
	incompatible   bool
	safeModeVictim bool
	quarantined    bool
	held           bool
	hung           bool
	checkFailed    bool
	reasons        []gateReason // one per refusing gate, in gate order
}

type gateReason struct {
	text string
	// hard: no change to the disabled list lifts it (not a plugin,
	// unreadable, blocklisted, incompatible).
	hard bool
}

func (g *gateResult) refuse(flag *bool, hard bool, reason string) {
	*flag = true
	g.reasons = append(g.reasons, gateReason{text: reason, hard: hard})
}

// reason says why the plugin may not run: every refusing gate's reason.
func (g gateResult) reason() string { return g.join(false) }

func (g gateResult) join(hardOnly bool) string {
	var texts []string
	for _, r := range g.reasons {
		if r.hard || !hardOnly {
			texts = append(texts, r.text)
		}
	}
	return strings.Join(texts, "; ")
}

// ok reports whether the plugin may load.
func (g gateResult) ok() bool {
	return !g.notAPlugin && !g.invalid && !g.forcedDisabled && !g.blocklisted &&
		!g.incompatible && !g.safeModeVictim && !g.quarantined && !g.held && !g.hung && !g.checkFailed
}

// hard reports whether a gate refuses the plugin that no change to the
// disabled list can lift, with those gates' reasons.
func (g gateResult) hard() (string, bool) {
	reason := g.join(true)
	return reason, reason != ""
}

const (
	reasonCheck      = "its check returned false"
	reasonNotAPlugin = "no plugin definition"
	reasonHeld       = "found while the server runs: enable it to run it (plugins._autoEnable is off)"
)

// neverRuns reports whether candidate c can never run as it is, whatever
// the configuration: it declares no plugin or its origin could not read
// it. The reason says which.
func neverRuns(c tier.Candidate) (string, bool) {
	var reasons []string
	if c.NotAPlugin {
		reasons = append(reasons, reasonNotAPlugin)
	}
	if c.Invalid != nil {
		reasons = append(reasons, c.Invalid.Error())
	}
	return strings.Join(reasons, "; "), len(reasons) > 0
}

// pluginConfig is the plugin system's part of the configuration.
type pluginConfig struct {
	disabled         map[string]bool
	blocklist        []BlockEntry
	forcedCompatible map[string]bool
	sortingOrder     map[string]map[string]int
}

// readConfig reads plugins._disabled, plugins._blocklist,
// plugins._forcedCompatible and plugins._sortingOrder. Malformed entries are logged and skipped, except
// blocklist entries, which then block every version (failing closed).
func (m *Manager) readConfig() pluginConfig {
	cfg := pluginConfig{
		disabled:         stringSet(m.settings.Get("plugins._disabled")),
		forcedCompatible: stringSet(m.settings.Get("plugins._forcedCompatible")),
		blocklist:        append([]BlockEntry(nil), m.opts.Blocklist...),
		sortingOrder:     make(map[string]map[string]int),
	}
	orders, _ := m.settings.Get("plugins._sortingOrder").(map[string]any)
	for id, v := range orders {
		byKey, _ := v.(map[string]any)
		for key := range byKey {
			if order, ok := orderIn(orders, id, key); ok {
				if cfg.sortingOrder[id] == nil {
					cfg.sortingOrder[id] = make(map[string]int)
				}
				cfg.sortingOrder[id][key] = order
			} else {
				m.log.Warn("ignoring a sorting order that is not a number", "plugin", id, "key", key)
			}
		}
	}
	list, _ := m.settings.Get("plugins._blocklist").([]any)
	for i, e := range list {
		switch e := e.(type) {
		case string:
			cfg.blocklist = append(cfg.blocklist, BlockEntry{Plugin: e})
		case map[string]any:
			id, _ := e["plugin"].(string)
			if id == "" {
				m.log.Warn("ignoring blocklist entry without plugin", "entry", i)
				continue
			}
			versions, ok := blockVersions(e["versions"])
			if !ok {
				m.log.Warn("blocklist entry has malformed versions; blocking every version", "plugin", id, "entry", i)
				versions = []string{""}
			}
			for _, v := range versions {
				cfg.blocklist = append(cfg.blocklist, BlockEntry{Plugin: id, Versions: v})
			}
		default:
			m.log.Warn("ignoring malformed blocklist entry", "entry", i)
		}
	}
	return cfg
}

// blockVersions reads a blocklist entry's versions: absent (every version),
// one constraint, or a list of constraints any of which blocks.
func blockVersions(v any) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return []string{""}, true
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func stringSet(v any) map[string]bool {
	set := make(map[string]bool)
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			set[s] = true
		}
	}
	return set
}

// evaluateGates decides, without running plugin code, whether a plugin may
// load, in the documented order: not a plugin, unreadable, disabled,
// blocklisted, incompatible, safe mode. The check gate runs later, at load.
func (m *Manager) evaluateGates(r *record, cfg pluginConfig) gateResult {
	var g gateResult
	c := r.cand
	if c.NotAPlugin {
		g.refuse(&g.notAPlugin, true, reasonNotAPlugin)
	}
	if c.Invalid != nil {
		g.incompatible = true
		g.refuse(&g.invalid, true, c.Invalid.Error())
	}
	switch {
	case c.Disabled:
		g.refuse(&g.forcedDisabled, false, "disabled by its name (ends in _disabled)")
	case cfg.disabled[r.id]:
		g.refuse(&g.forcedDisabled, false, "disabled in the configuration (plugins._disabled)")
	}
	if reason, blocked := m.blocked(r.id, c.Metadata.Version, cfg.blocklist); blocked {
		g.refuse(&g.blocklisted, true, reason)
	} else if m.opts.Blocked != nil && !c.Bundled {
		if reason, blocked := m.opts.Blocked(r.id, c.Metadata.Version); blocked {
			g.refuse(&g.blocklisted, true, reason)
		}
	}
	if !c.Bundled && !cfg.forcedCompatible[r.id] && c.Metadata.Compat != "" {
		if reason, ok := m.compatible(c.Metadata.Compat); !ok {
			g.refuse(&g.incompatible, true, reason)
		}
	}
	if m.opts.SafeMode && !c.Bundled {
		reason := "safe mode: only bundled plugins run"
		if m.opts.SafeModeReason != "" {
			reason = fmt.Sprintf("safe mode (%s): only bundled plugins run", m.opts.SafeModeReason)
		}
		g.refuse(&g.safeModeVictim, false, reason)
	}
	if evidence, ok := m.opts.Quarantine[r.id]; ok && !m.released[r.id] {
		g.refuse(&g.quarantined, false, "quarantined for this run: "+evidence)
	}
	if m.held[r.id] {
		g.refuse(&g.held, false, reasonHeld)
	}
	if ev, ok := m.hungs[r.id]; ok {
		g.refuse(&g.hung, false, "hung: "+ev.Evidence+"; enable it to try again")
	}
	return g
}

// hold keeps plugin r, found by a rescan while the manager runs, from
// running until an operator enables it (plugins._autoEnable is off).
func (m *Manager) hold(r *record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held[r.id] = true
	r.gate.refuse(&r.gate.held, false, reasonHeld)
}

// blocked reports whether the blocklist matches plugin id at version.
func (m *Manager) blocked(id, version string, list []BlockEntry) (string, bool) {
	for _, e := range list {
		if e.Plugin != id {
			continue
		}
		if strings.TrimSpace(e.Versions) == "" {
			return "blocklisted", true
		}
		c, err := semver.NewConstraint(e.Versions)
		if err != nil {
			m.log.Warn("blocklist entry has an invalid version constraint; blocking every version", "plugin", id, "versions", e.Versions, "error", err)
			return fmt.Sprintf("blocklisted (invalid constraint %q blocks every version)", e.Versions), true
		}
		v, err := semver.NewVersion(version)
		if err != nil {
			return fmt.Sprintf("blocklisted for versions %s (version %q is not semver)", e.Versions, version), true
		}
		if c.Check(v) {
			return fmt.Sprintf("blocklisted for versions %s", e.Versions), true
		}
	}
	return "", false
}

// compatible checks a Compat constraint against the host's API version.
func (m *Manager) compatible(compat string) (string, bool) {
	// The API version is fixed for the manager's life: decide each
	// constraint once (parsing one costs microseconds).
	if v, ok := m.compat.Load(compat); ok {
		res := v.(compatResult)
		return res.reason, res.ok
	}
	reason, ok := m.checkCompat(compat)
	m.compat.Store(compat, compatResult{reason: reason, ok: ok})
	return reason, ok
}

type compatResult struct {
	reason string
	ok     bool
}

func (m *Manager) checkCompat(compat string) (string, bool) {
	c, err := semver.NewConstraint(compat)
	if err != nil {
		return fmt.Sprintf("invalid compat constraint %q: %v", compat, err), false
	}
	if !c.Check(m.apiVersion) {
		return fmt.Sprintf("needs API %s, host has %s", compat, m.apiVersion), false
	}
	return "", true
}
