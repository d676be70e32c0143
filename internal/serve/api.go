package serve

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// routesHandler is the server's HTTP surface. A request for a host the
// server does not answer to (see hostCheck), then one with a wrong API key
// or, with a session cookie, without its CSRF token or from another site
// (see authenticate), is refused before it is routed.
func (s *Server) routesHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", s.apiVersion)
	mux.HandleFunc("GET /api/server", s.apiServer)
	mux.HandleFunc("POST /api/server", s.postServer)
	mux.HandleFunc("GET /api/system/commands", s.getSystemCommands)
	mux.HandleFunc("GET /api/system/commands/{source}", s.getSystemCommandsOf)
	mux.HandleFunc("POST /api/system/commands/{source}/{action}", s.postSystemCommand)
	mux.HandleFunc("GET /api/settings", s.getSettings)
	mux.HandleFunc("POST /api/settings", s.postSettings)
	mux.HandleFunc("GET /api/access/permissions", s.getPermissions)
	mux.HandleFunc("/api/plugin/{id}", s.routes.serveAPI)
	mux.HandleFunc("GET /api/ui", s.getUI)
	mux.HandleFunc("GET /api/ui/version", s.getUIVersion)
	mux.HandleFunc("POST /api/login", s.postLogin)
	mux.HandleFunc("POST /api/logout", s.postLogout)
	mux.HandleFunc("GET /api/currentuser", s.getCurrentUser)
	mux.HandleFunc("GET /api/socket", s.sockets.serveWebsocket)
	s.printerRoutes(mux)
	s.metricsRoutes(mux)
	sockjs := s.sockets.sockjsHandler()
	mux.Handle("/sockjs", sockjs)
	mux.Handle("/sockjs/", sockjs)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "nothing here: "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("/plugin/{id}/", s.routes.servePlugin)
	s.page.Register(mux)
	return s.checkHost(s.authenticate(mux))
}

// VersionInfo is the answer of GET /api/version.
type VersionInfo struct {
	API    string `json:"api"`
	Server string `json:"server"`
	Text   string `json:"text"`
}

func (s *Server) apiVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, VersionInfo{API: tentacle.APIVersion, Server: Version, Text: "Tentacle " + Version})
}

// ServerInfo is the answer of GET /api/server.
type ServerInfo struct {
	Version string `json:"version"`
	// Instance identifies this run of the server (see RunInfo).
	Instance string `json:"instance"`
	// SafeMode is why the server runs in safe mode, or null.
	SafeMode *string `json:"safemode"`
	// Quarantined lists the plugins kept from running this time because
	// their code was running when the last start did not complete.
	Quarantined []bundled.Quarantine `json:"quarantined"`
	// ConfigError says why config.yaml is not used, or null.
	ConfigError *string `json:"config_error"`
	// ConfigIgnored lists the values of config.yaml that settings cannot
	// take, left out when it was read (settings.Store.Ignored).
	ConfigIgnored []IgnoredSetting `json:"config_ignored"`
	Started       time.Time        `json:"started"`
	// RestartNeeded lists the plugins whose change waits for a restart
	// (needs_restart in their listing entry); the socket's restartNeeded
	// message says when it changes.
	RestartNeeded []string `json:"restart_needed"`
}

// IgnoredSetting is a value of config.yaml that settings cannot take
// (settings.InvalidValueError): it reads as its default, and the next save
// of config.yaml leaves it out.
type IgnoredSetting struct {
	// Path is the dotted path of the bad value (of an element, for a list
	// left out whole).
	Path string `json:"path"`
	// Line is its line in config.yaml, or 0 when unknown.
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Info returns what GET /api/server answers.
func (s *Server) Info() ServerInfo {
	info := ServerInfo{Version: Version, Instance: s.instance, ConfigIgnored: []IgnoredSetting{}, Started: s.started, RestartNeeded: restartNeeded(s.mgr.List())}
	for _, iv := range s.store.Ignored() {
		info.ConfigIgnored = append(info.ConfigIgnored, IgnoredSetting{Path: iv.Path, Line: iv.Line, Reason: iv.Reason})
	}
	if s.safeMode != "" {
		reason := s.safeMode
		info.SafeMode = &reason
	}
	if s.configErr != nil {
		msg := s.configErr.Error()
		info.ConfigError = &msg
	}
	info.Quarantined = s.quarantined()
	return info
}

// quarantined lists the plugins kept from running at this start and still
// kept from running (an operator's enable lifts a quarantine).
func (s *Server) quarantined() []bundled.Quarantine {
	out := []bundled.Quarantine{}
	for id, evidence := range s.quarantine {
		if in, ok := s.mgr.Info(id); ok && in.Quarantined {
			out = append(out, bundled.Quarantine{Plugin: id, Evidence: evidence})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plugin < out[j].Plugin })
	return out
}

func (s *Server) apiServer(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Info())
}

// postServer takes the server's own commands: {"command": "safemode"}
// makes the next start run in safe mode (what tentacle safemode does while
// the server runs, so that the server's next save does not undo it).
func (s *Server) postServer(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var body struct {
		Command string `json:"command"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch body.Command {
	case "safemode":
		if !s.requestSafeMode(w) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"safemode_next_start": true})
	case "":
		writeError(w, http.StatusBadRequest, `missing "command"`)
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no command %q", body.Command))
	}
}

// requestSafeMode makes the next start run in safe mode; when that fails,
// it answers the request and returns false.
func (s *Server) requestSafeMode(w http.ResponseWriter) bool {
	s.settingsMu.Lock()
	err := RequestSafeMode(s.store)
	s.settingsMu.Unlock()
	if err != nil {
		s.settingsFailed(w, err)
		return false
	}
	return true
}
