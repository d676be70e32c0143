// Package logging is the bundled Logging plugin of the tentacle server:
// OctoPrint's logging plugin, at its paths and in its shapes, so that
// OctoPrint's own client works with it. It lists, downloads and deletes
// the log files of <basedir>/logs, and reads and sets the levels of the
// server's loggers while it runs. Everything it answers needs an admin
// (the API key, or an admin user's session): logs may hold secrets.
//
//	GET    /plugin/logging/                everything below in one: logs, setup, plugintimings_log
//	GET    /plugin/logging/logs            the log files, with the free and total bytes of their disk
//	GET    /plugin/logging/logs/<name>     one log file
//	DELETE /plugin/logging/logs/<name>     delete a rotated log file
//	GET    /plugin/logging/setup           the loggers and the levels set
//	GET    /plugin/logging/setup/levels    the levels set: {"tentacle.plugins.foo": "DEBUG"}
//	PUT    /plugin/logging/setup/levels    set the levels, in place of all those set before
package logging

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
)

// ID is the plugin's identifier.
const ID = "logging"

// Plugin is the Logging plugin's definition.
var Plugin = tentacle.Definition{
	Name:                 "Logging",
	Version:              "1.0.0",
	Description:          "Lists, downloads and deletes the server's log files, and sets the levels of its loggers while it runs.",
	Author:               "The Tentacle Authors",
	License:              "Apache-2.0",
	Hidden:               true,
	DisablingDiscouraged: "without it the logs cannot be read, nor their levels changed, through the HTTP API",
	Implementation:       &Implementation{},
}

func init() { tentacle.Register(ID, &Plugin) }

// Implementation is the Logging plugin's implementation.
type Implementation struct{ tentacle.Base }

var _ server.Blueprint = (*Implementation)(nil)

// Handler implements server.Blueprint.
func (p *Implementation) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.json(func(l bundled.Logs, r *http.Request) (any, error) {
		files, err := p.files(l, r)
		if err != nil {
			return nil, err
		}
		return everything{Logs: files, Setup: setupOf(l), PluginTimingsLog: pluginTimingsLog{}}, nil
	}))
	mux.HandleFunc("GET /logs", p.json(func(l bundled.Logs, r *http.Request) (any, error) { return p.files(l, r) }))
	mux.HandleFunc("GET /logs/{name}", p.download)
	mux.HandleFunc("DELETE /logs/{name}", p.json(func(l bundled.Logs, r *http.Request) (any, error) {
		return nil, deleteFile(l, r.PathValue("name"))
	}))
	mux.HandleFunc("GET /setup", p.json(func(l bundled.Logs, _ *http.Request) (any, error) { return setupOf(l), nil }))
	mux.HandleFunc("GET /setup/levels", p.json(func(l bundled.Logs, _ *http.Request) (any, error) {
		return loglevel.Format(l.Levels()), nil
	}))
	mux.HandleFunc("PUT /setup/levels", p.json(putLevels))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, http.StatusNotFound, "the Logging plugin has nothing at "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// everything is the answer of GET /: OctoPrint's, whose plugintimings_log
// is always off here (Tentacle's plugin timings are its metrics).
type everything struct {
	Logs             fileList         `json:"logs"`
	Setup            setup            `json:"setup"`
	PluginTimingsLog pluginTimingsLog `json:"plugintimings_log"`
}

type pluginTimingsLog struct {
	Enabled bool `json:"enabled"`
}

// setup is the answer of GET /setup: the loggers there are, and the levels
// set (by logger name, OctoPrint's level names).
type setup struct {
	Loggers []string          `json:"loggers"`
	Levels  map[string]string `json:"levels"`
}

func setupOf(l bundled.Logs) setup {
	return setup{Loggers: l.Loggers(), Levels: loglevel.Format(l.Levels())}
}

// putLevels answers PUT /setup/levels: its JSON body, {logger: level},
// becomes the levels set, in place of all those set before, as OctoPrint's
// does; a logger left out, or given null, logs at the level of the nearest
// logger above it with a level. {"levels": {...}}, the shape of GET
// /setup's levels, is taken too. OctoPrint's names (octoprint.plugins.foo)
// are taken as Tentacle's (tentacle.plugins.foo). A name or level that is
// not taken refuses the whole request with 400 and changes nothing.
func putLevels(l bundled.Logs, r *http.Request) (any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, badRequest("Expected content-type JSON")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("cannot read the body: " + err.Error())
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil || in == nil {
		return nil, badRequest("Invalid log level configuration: the body must be a JSON object of logger names to levels")
	}
	if inner, ok := in["levels"]; ok && len(in) == 1 {
		var wrapped map[string]json.RawMessage
		if json.Unmarshal(inner, &wrapped) == nil && wrapped != nil {
			in = wrapped
		}
	}
	named := make(map[string]string, len(in))
	for name, raw := range in {
		var level *string
		if err := json.Unmarshal(raw, &level); err != nil {
			return nil, badRequest("logger " + quote(name) + ": the level must be a string, one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
		}
		if level != nil {
			named[name] = *level
		}
	}
	levels, err := loglevel.ParseLevels(named)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	if err := l.SetLevels(levels); err != nil {
		if errors.Is(err, settings.ErrReadOnly) {
			return nil, &server.APIError{Status: http.StatusConflict, Message: err.Error()}
		}
		return nil, err
	}
	return loglevel.Format(l.Levels()), nil
}

// logs returns the server's logs, or an error when the plugin does not run
// inside the tentacle server.
func (p *Implementation) logs() (bundled.Logs, error) {
	l := bundled.LogsOf(p)
	if l == nil {
		return nil, &server.APIError{Status: http.StatusServiceUnavailable, Message: "the Logging plugin runs only inside the tentacle server"}
	}
	return l, nil
}

// admitted returns the server's logs when r comes from an admin;
// otherwise it answers r and returns false.
func (p *Implementation) admitted(w http.ResponseWriter, r *http.Request) (bundled.Logs, bool) {
	l, err := p.logs()
	if err != nil {
		httpjson.Fail(w, err)
		return nil, false
	}
	return l, l.Authorize(w, r)
}

// json adapts an answer function to an http.HandlerFunc that answers only
// admins; a nil answer is 204 No Content.
func (p *Implementation) json(fn func(bundled.Logs, *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, ok := p.admitted(w, r)
		if !ok {
			return
		}
		res, err := fn(l, r)
		switch {
		case err != nil:
			httpjson.Fail(w, err)
		case res == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			httpjson.Write(w, http.StatusOK, res)
		}
	}
}

func badRequest(msg string) error {
	return &server.APIError{Status: http.StatusBadRequest, Message: msg}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }
