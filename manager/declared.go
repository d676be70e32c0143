package manager

import (
	"slices"
	"sort"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

// declaredRestart says why a plugin that is not loaded needs a restart to
// be toggled, judged from what its candidate declares (d; nil: nothing)
// with the host's mixin descriptors and hook registry, in the words and
// order of classify. unknown reports that nothing tells it needs a restart
// and what it declares cannot rule that out: some part that could make it
// restart-needing is not known until it loads.
func (m *Manager) declaredRestart(d *tier.Declaration) (reasons []string, unknown bool) {
	reasons = []string{}
	if d == nil {
		return reasons, true
	}
	for _, ms := range m.mixins {
		if !ms.RestartNeeding {
			continue
		}
		switch {
		case declaresMixin(d, ms):
			reasons = append(reasons, "implements "+ms.Name())
		case !d.MethodsKnown && !slices.Contains(d.MixinsChecked, ms.Name()):
			unknown = true
		}
	}
	hooks := slices.Clone(d.Hooks)
	sort.Strings(hooks)
	for _, name := range slices.Compact(hooks) {
		if m.hooks.RestartNeeding(name) {
			reasons = append(reasons, "has a handler for hook "+m.hookName(name))
		}
	}
	unknown = unknown || !d.HooksKnown
	if d.SettingsOverlay {
		reasons = append(reasons, "has a settings overlay")
	}
	unknown = unknown || !d.SettingsOverlayKnown
	return reasons, unknown && len(reasons) == 0
}

// declaresMixin reports whether d says the plugin implements ms: by its
// name, or by the names of all of its methods (a mixin without methods is
// never matched by name, as a process plugin's SDK never matches one).
func declaresMixin(d *tier.Declaration, ms tentacle.Mixin) bool {
	if slices.Contains(d.Mixins, ms.Name()) {
		return true
	}
	n := ms.Type.NumMethod()
	if n == 0 || len(d.Methods) == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		if !slices.Contains(d.Methods, ms.Type.Method(i).Name) {
			return false
		}
	}
	return true
}

// restartInfoLocked fills a listing entry's RestartNeeding for plugin r:
// the reasons its loaded code gave (kept after an unload), or, for a
// plugin whose code has not been loaded since its candidate was found,
// those its candidate declares. m.mu must be held.
func (m *Manager) restartInfoLocked(r *record, in *Info) {
	if r.loaded() || r.restartReasons != nil {
		in.RestartNeeding = append([]string{}, r.restartReasons...)
		return
	}
	in.RestartNeeding, in.RestartNeedingUnknown = m.declaredRestart(declaration(r.cand))
}

// declaration returns what candidate c declares, or nil when its origin
// cannot tell.
func declaration(c tier.Candidate) *tier.Declaration {
	if c.Declares == nil {
		return nil
	}
	return c.Declares()
}

// hookName returns the name of the hook name is an alias of, or name.
func (m *Manager) hookName(name string) string {
	if spec, ok := m.hooks.Spec(name); ok {
		return spec.Name
	}
	return name
}
