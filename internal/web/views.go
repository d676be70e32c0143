package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// pageView is what the whole page shows.
type pageView struct {
	Viewer     Viewer
	Version    string
	UI         UI
	Banners    any
	Plugins    any
	Orphans    any
	Repository any
}

// pluginsView is the plugin list: every plugin that is not hidden, or
// those matching the filter q (in identifier, name, author or
// description).
type pluginsView struct {
	Query   string
	Plugins []pluginView
	Total   int
}

// pluginView is one plugin's card.
type pluginView struct {
	// In is the plugin's listing entry (a named field, not an embedded
	// one: templates find a promoted field by a slow reflective search).
	In      manager.Info
	Notices []repository.Notice
	// CanToggle: the page offers to enable or disable it.
	CanToggle bool
	// CanUninstall: it is installed (not bundled) and managable.
	CanUninstall bool
	// Flags are short words about it ("bundled", "quarantined", ...).
	Flags []string
}

func (p *Page) pluginsView(r *http.Request) any {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	a := p.opts.Admin
	repo := a.Repository()
	v := pluginsView{Query: r.URL.Query().Get("q"), Plugins: []pluginView{}}
	for _, in := range a.Plugins() {
		if in.Hidden {
			continue
		}
		v.Total++
		if q != "" && !matches(q, in.Key, in.Name, in.Author, in.Description) {
			continue
		}
		pv := pluginView{In: in,
			// As OctoPrint's Plugin Manager: a plugin may always be
			// disabled, and enabled unless a gate keeps it off.
			CanToggle:    in.Enabled || (!in.SafeModeVictim && !in.Blocklisted && !in.Incompatible),
			CanUninstall: in.Managable && !in.Bundled && !in.PendingUninstall}
		if repo != nil && in.Enabled {
			pv.Notices = repo.Notices(in.Key, in.Version)
		}
		pv.Flags = flags(in)
		v.Plugins = append(v.Plugins, pv)
	}
	return v
}

// flags names what is special about a plugin, in the order an operator
// reads them.
func flags(in manager.Info) []string {
	var out []string
	for _, f := range []struct {
		on   bool
		word string
	}{
		{in.Bundled, "bundled"},
		{in.SafeModeVictim, "kept off by safe mode"},
		{in.Quarantined, "quarantined"},
		{in.Blocklisted, "blocklisted"},
		{in.Incompatible, "incompatible"},
		{in.ForcedDisabled && !in.PendingDisable, "disabled by configuration"},
		{in.PendingEnable, "enabled after a restart"},
		{in.PendingDisable, "disabled after a restart"},
		{in.PendingInstall, "installed, active after a restart"},
		{in.PendingUninstall, "uninstalled, gone after a restart"},
		{in.PendingReload, "new code runs after a restart"},
		{len(in.RestartNeeding) > 0, "restart-needing"},
	} {
		if f.on {
			out = append(out, f.word)
		}
	}
	return out
}

func matches(q string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// bannersView is what the top of the page warns about.
type bannersView struct {
	SafeMode    string
	Quarantined []bundled.Quarantine
	// Restart lists the plugins whose changes wait for a restart.
	Restart []string
}

func (p *Page) bannersView(*http.Request) any {
	a := p.opts.Admin
	v := bannersView{SafeMode: a.SafeMode(), Quarantined: a.Quarantined()}
	for _, in := range a.Plugins() {
		if in.NeedsRestart { // any pending change, as the manager lists it
			v.Restart = append(v.Restart, in.Name)
		}
	}
	return v
}

// orphansView lists what uninstalled plugins left behind.
type orphansView struct{ Orphans []manager.Orphan }

func (p *Page) orphansView(*http.Request) any {
	return orphansView{Orphans: p.opts.Admin.Orphans()}
}

// repositoryView is the repository's search: its state and the entries
// matching q (all of them when q is empty).
type repositoryView struct {
	Configured bool
	Query      string
	Index      repository.Index
	Entries    []repositoryEntry
}

// repositoryEntry is an entry of the repository as the page offers it.
type repositoryEntry struct {
	E         repository.Entry
	Installed bool
	// Installable: this host can install it (a Tentacle plugin, compatible,
	// not switched off); otherwise Why says why not.
	Installable bool
	Why         string
	Notices     []repository.Notice
}

func (p *Page) repositoryView(r *http.Request) any {
	repo := p.opts.Admin.Repository()
	v := repositoryView{Configured: repo != nil, Query: r.URL.Query().Get("q")}
	if repo == nil {
		return v
	}
	v.Index = repo.Index()
	if !v.Index.Available && v.Index.Error == repository.ReasonNotConfigured {
		v.Configured = false
		return v
	}
	safeMode := p.opts.Admin.SafeMode() != ""
	for _, e := range repo.Search(v.Query) {
		re := repositoryEntry{E: e, Installable: true}
		_, re.Installed = p.opts.Admin.Plugin(e.ID)
		switch {
		case safeMode:
			re.Installable, re.Why = false, "the server runs in safe mode"
		case e.Tier == "":
			re.Installable, re.Why = false, "an OctoPrint (Python) plugin"
		case e.IsDisabled():
			re.Installable, re.Why = false, "installing it is switched off: "+*e.Disabled
		case !e.IsCompatible.All():
			re.Installable, re.Why = false, "not compatible with this host"
		}
		if e.Version != "" {
			re.Notices = repo.Notices(e.ID, e.Version)
		}
		v.Entries = append(v.Entries, re)
	}
	return v
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"join": strings.Join,
	// json is a value as JSON text, for a form field that edits a list
	// or an object.
	"json": func(v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return ""
		}
		return string(b)
	},
}
