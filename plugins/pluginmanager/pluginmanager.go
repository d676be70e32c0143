// Package pluginmanager is the bundled Plugin Manager of the tentacle
// server: OctoPrint's pluginmanager plugin, at its paths and in its
// shapes, so that OctoPrint's own client works with it. It lists plugins,
// installs them from a URL, an upload, a local path or the plugin
// repository, uninstalls them, enables and disables them, lists and
// cleans up what uninstalled plugins left, and shows the repository. It is
// hidden and cannot be disabled or uninstalled.
//
//	GET  /plugin/pluginmanager/plugins[?refresh=true]  every plugin but the hidden bundled ones, with the host's facts (?all=true: every plugin)
//	GET  /plugin/pluginmanager/plugins/versions        {id: version} of the enabled plugins
//	GET  /plugin/pluginmanager/plugins/<id>            one plugin
//	GET  /plugin/pluginmanager/orphans                 what uninstalled plugins left (orphan_data)
//	GET  /plugin/pluginmanager/repository[?refresh=true]  the plugin repository's index
//	GET  /plugin/pluginmanager/export                  the installed plugins as a list to install elsewhere
//	POST /plugin/pluginmanager/upload_file             install an uploaded file (multipart, "file")
//	GET  /plugin/pluginmanager/hooks[/<name>]          every hook's handlers in call order, with the reasons
//	GET  /api/plugin/pluginmanager                     plugins, orphans and repository in one (OctoPrint 1.x clients)
//	POST /api/plugin/pluginmanager                     install, uninstall, enable, disable, cleanup, cleanup_all, refresh_repository
package pluginmanager

import (
	"net/http"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// ID is the plugin's identifier.
const ID = "pluginmanager"

// Plugin is the Plugin Manager's definition.
var Plugin = tentacle.Definition{
	Name:                 "Plugin Manager",
	Version:              "1.0.0",
	Description:          "Installs, uninstalls, enables and disables plugins.",
	Author:               "The Tentacle Authors",
	License:              "Apache-2.0",
	Hidden:               true,
	DisablingDiscouraged: "the Plugin Manager is how plugins are managed",
	Implementation:       &Implementation{},
	Hooks: tentacle.Hooks{
		// An uploaded plugin file may be far larger than the server's
		// default body limit for plugins (server.maxSize), as OctoPrint's
		// Plugin Manager declares.
		server.HookHTTPBodySize: server.BodySizeHook(func() []server.BodySize {
			return []server.BodySize{{Method: "POST", Path: "/upload_file", MaxBytes: maxUpload + 1<<20}}
		}),
	},
}

func init() { tentacle.Register(ID, &Plugin) }

// Implementation is the Plugin Manager's implementation.
type Implementation struct {
	tentacle.Base
	installs installs
}

var (
	_ server.SimpleAPI = (*Implementation)(nil)
	_ server.APIGetter = (*Implementation)(nil)
	_ server.Blueprint = (*Implementation)(nil)
)

// admin returns the server's admin view, injected into bundled plugins.
func (p *Implementation) admin() (bundled.Admin, error) {
	a := bundled.AdminOf(p)
	if a == nil {
		return nil, &server.APIError{Status: http.StatusServiceUnavailable, Message: "the Plugin Manager runs only inside the tentacle server"}
	}
	return a, nil
}

// Handler implements server.Blueprint.
func (p *Implementation) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plugins", p.json(func(a bundled.Admin, r *http.Request) (any, error) {
		if repo := a.Repository(); repo != nil && httpjson.Truthy(r.URL.Query().Get("refresh")) {
			_ = repo.Refresh(r.Context(), true) // a failure shows in the repository's answer
		}
		return p.listing(a, httpjson.Truthy(r.URL.Query().Get("all"))), nil
	}))
	mux.HandleFunc("GET /plugins/versions", p.json(func(a bundled.Admin, _ *http.Request) (any, error) {
		out := make(map[string]string)
		for _, in := range a.Plugins() {
			if in.Enabled {
				out[in.Key] = in.Version
			}
		}
		return out, nil
	}))
	mux.HandleFunc("GET /plugins/{id}", p.json(func(a bundled.Admin, r *http.Request) (any, error) {
		in, ok := a.Plugin(r.PathValue("id"))
		if !ok {
			return nil, &server.APIError{Status: http.StatusNotFound, Message: "unknown plugin " + quote(r.PathValue("id"))}
		}
		return map[string]any{"plugin": entryOf(in, p.repo(a))}, nil
	}))
	mux.HandleFunc("GET /orphans", p.json(func(a bundled.Admin, _ *http.Request) (any, error) {
		orphans := a.Orphans()
		return map[string]any{"orphan_data": orphanDataOf(orphans), "orphans": orphans}, nil
	}))
	mux.HandleFunc("GET /repository", p.json(p.getRepository))
	mux.HandleFunc("GET /export", p.export)
	mux.HandleFunc("GET /hooks", p.json(func(a bundled.Admin, _ *http.Request) (any, error) {
		out := make(map[string][]hooks.Explanation)
		for _, name := range a.HookNames() {
			out[name], _ = a.ExplainHook(name)
		}
		return map[string]any{"hooks": out}, nil
	}))
	mux.HandleFunc("GET /hooks/{name}", p.json(func(a bundled.Admin, r *http.Request) (any, error) {
		name := r.PathValue("name")
		ex, ok := a.ExplainHook(name)
		if !ok {
			return nil, &server.APIError{Status: http.StatusNotFound, Message: "unknown hook " + quote(name)}
		}
		return map[string]any{"hooks": map[string][]hooks.Explanation{name: ex}}, nil
	}))
	p.installRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, http.StatusNotFound, "the Plugin Manager has nothing at "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// orphanData is what a plugin that is not installed left, as OctoPrint
// lists it under orphan_data.
type orphanData struct {
	Settings bool `json:"settings"`
	Data     bool `json:"data"`
	Disabled bool `json:"disabled"`
}

// orphanDataOf returns OctoPrint's orphan_data: by plugin, what it left.
func orphanDataOf(orphans []manager.Orphan) map[string]orphanData {
	data := make(map[string]orphanData, len(orphans))
	for _, o := range orphans {
		data[o.Plugin] = orphanData{Settings: o.Settings, Data: o.Data, Disabled: o.Disabled}
	}
	return data
}

// everything is the answer of GET /api/plugin/pluginmanager: the
// listing, the orphans and the repository in one.
type everything struct {
	Listing
	OrphanData map[string]orphanData `json:"orphan_data"`
	Repository repository.Index      `json:"repository"`
}

// OnAPIGet answers GET /api/plugin/pluginmanager, what the clients of
// OctoPrint 1.x read with get, getWithRefresh and getWithoutRefresh (an
// endpoint OctoPrint deprecated in 1.6 and removed in 2.0): the answers of
// GET /plugins, /orphans and /repository merged. refresh_repository or
// refresh_notices fetches the repository's lists first; refresh_orphans is
// taken and changes nothing, orphans being found afresh each time.
func (p *Implementation) OnAPIGet(r *http.Request) (any, error) {
	a, err := p.admin()
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	refresh := httpjson.Truthy(q.Get("refresh_repository")) || httpjson.Truthy(q.Get("refresh_notices"))
	return everything{
		Listing:    p.listing(a, false),
		OrphanData: orphanDataOf(a.Orphans()),
		Repository: p.repositoryIndex(r, a, refresh),
	}, nil
}

// listing returns the answer of GET /plugins: every plugin but the hidden
// bundled ones and those plugins.pluginmanager.hidden names, as OctoPrint
// lists them; all lists every plugin (Tentacle's ?all=true).
func (p *Implementation) listing(a bundled.Admin, all bool) Listing {
	hidden := make(map[string]bool)
	if !all {
		for _, id := range p.hiddenSetting() {
			hidden[id] = true
		}
	}
	repo := p.repo(a)
	l := Listing{
		Plugins:             []Entry{},
		OS:                  osName(),
		OctoPrint:           tentacle.APIVersion,
		Pip:                 Pip{Available: true, Version: tentacle.APIVersion, InstallDir: a.BaseDir(), Python: a.Executable()},
		SupportedExtensions: supported,
		Quarantined:         []bundled.Quarantine{},
	}
	for _, in := range a.Plugins() {
		if !all && (hidden[in.Key] || (in.Bundled && in.Hidden)) {
			continue
		}
		l.Plugins = append(l.Plugins, entryOf(in, repo))
	}
	if reason := a.SafeMode(); reason != "" {
		l.SafeMode, l.SafeModeReason = true, &reason
	}
	l.Quarantined = append(l.Quarantined, a.Quarantined()...)
	l.Online = repo != nil && repo.online()
	return l
}

// hiddenSetting returns plugins.pluginmanager.hidden: plugins the listing
// leaves out.
func (p *Implementation) hiddenSetting() []string {
	var out []string
	if st := p.Settings(); st != nil {
		if list, ok := st.Get("hidden").([]any); ok {
			for _, v := range list {
				if id, ok := v.(string); ok {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// json adapts an answer function to an http.HandlerFunc.
func (p *Implementation) json(fn func(bundled.Admin, *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := p.admin()
		var res any
		if err == nil {
			res, err = fn(a, r)
		}
		if err != nil {
			httpjson.Fail(w, err)
			return
		}
		httpjson.Write(w, http.StatusOK, res)
	}
}

func quote(s string) string { return `"` + s + `"` }
