// Package pluginmanager is the bundled Plugin Manager of the tentacle
// server: OctoPrint's pluginmanager plugin, at its paths. It lists plugins
// and hooks and enables and disables plugins; installing and uninstalling
// come later. It is hidden and cannot be disabled.
//
//	GET  /plugin/pluginmanager/plugins          every plugin, with the server's safe mode and quarantine
//	GET  /plugin/pluginmanager/plugins/<id>     one plugin
//	GET  /plugin/pluginmanager/hooks            every hook's handlers in call order, with the reasons
//	GET  /plugin/pluginmanager/hooks/<name>     one hook's
//	GET  /plugin/pluginmanager/orphans          settings and data of plugins no longer installed
//	POST /api/plugin/pluginmanager              {"command": "enable"|"disable", "plugin": "<id>"}
package pluginmanager

import (
	"context"
	"errors"
	"net/http"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
)

// ID is the plugin's identifier.
const ID = "pluginmanager"

// Plugin is the Plugin Manager's definition.
var Plugin = tentacle.Definition{
	Name:                 "Plugin Manager",
	Version:              "1.0.0",
	Description:          "Lists, enables and disables plugins.",
	Author:               "The Tentacle Authors",
	License:              "Apache-2.0",
	Hidden:               true,
	DisablingDiscouraged: "the Plugin Manager is how plugins are managed",
	Implementation:       &Implementation{},
}

func init() { tentacle.Register(ID, &Plugin) }

// Implementation is the Plugin Manager's implementation.
type Implementation struct{ tentacle.Base }

var (
	_ server.SimpleAPI = (*Implementation)(nil)
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

// Listing is the answer of GET /plugin/pluginmanager/plugins.
type Listing struct {
	Plugins     []manager.Info       `json:"plugins"`
	SafeMode    *string              `json:"safe_mode"`
	Quarantined []bundled.Quarantine `json:"quarantined"`
}

// Handler implements server.Blueprint.
func (p *Implementation) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plugins", p.json(func(a bundled.Admin, _ *http.Request) (any, error) {
		l := Listing{Plugins: a.Plugins(), Quarantined: a.Quarantined()}
		if reason := a.SafeMode(); reason != "" {
			l.SafeMode = &reason
		}
		return l, nil
	}))
	mux.HandleFunc("GET /plugins/{id}", p.json(func(a bundled.Admin, r *http.Request) (any, error) {
		in, ok := a.Plugin(r.PathValue("id"))
		if !ok {
			return nil, &server.APIError{Status: http.StatusNotFound, Message: "unknown plugin " + quote(r.PathValue("id"))}
		}
		return map[string]any{"plugin": in}, nil
	}))
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
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, http.StatusNotFound, "the Plugin Manager has nothing at "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("GET /orphans", p.json(func(a bundled.Admin, _ *http.Request) (any, error) {
		return map[string]any{"orphans": a.Orphans()}, nil
	}))
	return mux
}

// json adapts an answer function to an http.HandlerFunc.
func (p *Implementation) json(fn func(bundled.Admin, *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := p.admin()
		var res any
		if err == nil {
			res, err = fn(a, r)
		}
		var ae *server.APIError
		switch {
		case errors.As(err, &ae):
			httpjson.Error(w, ae.Status, ae.Message)
		case err != nil:
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
		default:
			httpjson.Write(w, http.StatusOK, res)
		}
	}
}

// APICommands implements server.SimpleAPI.
func (p *Implementation) APICommands() map[string][]string {
	return map[string][]string{"enable": {"plugin"}, "disable": {"plugin"}}
}

// OnAPICommand implements server.SimpleAPI: enable and disable answer the
// change made (manager.Change).
func (p *Implementation) OnAPICommand(command string, data map[string]any) (any, error) {
	a, err := p.admin()
	if err != nil {
		return nil, err
	}
	id, _ := data["plugin"].(string)
	var ch manager.Change
	switch command {
	case "enable":
		ch, err = a.Enable(context.Background(), id)
	case "disable":
		ch, err = a.Disable(context.Background(), id)
	}
	if err != nil {
		return nil, &server.APIError{Status: statusOf(err), Message: err.Error()}
	}
	return ch, nil
}

// statusOf maps a lifecycle error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, manager.ErrUnknownPlugin):
		return http.StatusNotFound
	case errors.Is(err, manager.ErrNotToggleable):
		return http.StatusBadRequest
	case errors.Is(err, manager.ErrGated), errors.Is(err, settings.ErrReadOnly):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

func quote(s string) string { return `"` + s + `"` }
