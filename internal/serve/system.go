package serve

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/tentacle-go/tentacle/install"
)

// The server's system commands, OctoPrint's core commands: GET
// /api/system/commands lists them by source (core, plugin, custom), GET
// /api/system/commands/<source> one source's, and POST
// /api/system/commands/<source>/<action> runs one, answered 204 before it
// takes effect. Tentacle has core commands only: restart, restart_safe
// (the restart after setting server.startOnceInSafeMode, as OctoPrint's)
// and shutdown (the server stops: Tentacle never shuts the machine down or
// reboots it). The restarts are offered only when the command that runs
// the server re-executes it (Options.Restartable). Every one of them needs
// the API key, as every other administrative request (authorize).

// SystemCommand is a command as GET /api/system/commands lists it,
// OctoPrint's client spec.
type SystemCommand struct {
	Action  string `json:"action"`
	Name    string `json:"name"`
	Confirm string `json:"confirm,omitempty"`
	Source  string `json:"source"`
	// Resource is the absolute URL to POST to run it.
	Resource string `json:"resource"`
}

// StopRequest is a stop that a system command asked for: the server stops
// as on a signal, and the command that ran it then re-executes it when
// Restart is set (in safe mode when SafeMode is: server.startOnceInSafeMode
// was set before the stop).
type StopRequest struct {
	Restart  bool `json:"restart"`
	SafeMode bool `json:"safe_mode"`
}

// coreCommand is a core command and the stop it asks for.
type coreCommand struct {
	name, confirm string
	stop          StopRequest
	restart       bool // needs Options.Restartable
}

// coreCommands are the core commands in OctoPrint's order.
var coreCommands = []struct {
	action string
	coreCommand
}{
	{"shutdown", coreCommand{
		name:    "Shut down the Tentacle server",
		confirm: "The Tentacle server stops and stays stopped until it is started again on the machine it runs on.",
	}},
	{"restart", coreCommand{
		name:    "Restart Tentacle",
		confirm: "The Tentacle server stops, with every plugin, and starts again; open pages reconnect.",
		stop:    StopRequest{Restart: true},
		restart: true,
	}},
	{"restart_safe", coreCommand{
		name:    "Restart Tentacle in safe mode",
		confirm: "The Tentacle server stops, with every plugin, and starts again in safe mode: only bundled plugins run until the next restart.",
		stop:    StopRequest{Restart: true, SafeMode: true},
		restart: true,
	}},
}

// systemCommands lists the commands of a source that this server offers.
func (s *Server) systemCommands(r *http.Request, source string) []SystemCommand {
	out := []SystemCommand{}
	if source != "core" {
		return out
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	for _, c := range coreCommands {
		if c.restart && !s.opts.Restartable {
			continue
		}
		res := url.URL{Scheme: scheme, Host: r.Host, Path: "/api/system/commands/core/" + c.action}
		out = append(out, SystemCommand{Action: c.action, Name: c.name, Confirm: c.confirm, Source: "core", Resource: res.String()})
	}
	return out
}

// getSystemCommands answers GET /api/system/commands.
func (s *Server) getSystemCommands(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string][]SystemCommand{
		"core":   s.systemCommands(r, "core"),
		"plugin": s.systemCommands(r, "plugin"),
		"custom": s.systemCommands(r, "custom"),
	})
}

// getSystemCommandsOf answers GET /api/system/commands/<source>.
func (s *Server) getSystemCommandsOf(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	switch source := r.PathValue("source"); source {
	case "core", "plugin", "custom":
		writeJSON(w, http.StatusOK, s.systemCommands(r, source))
	default:
		writeError(w, http.StatusNotFound, "no source of system commands "+strconv.Quote(source)+" (core, plugin, custom)")
	}
}

// postSystemCommand answers POST /api/system/commands/<source>/<action>:
// 204 once the command is under way. A restart or shutdown first waits for
// an install under way (installs asked for meanwhile are refused), then
// stops the server as a signal does; a page learns of it from the socket's
// stopping message.
func (s *Server) postSystemCommand(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	source, action := r.PathValue("source"), r.PathValue("action")
	if action == "divider" {
		writeError(w, http.StatusBadRequest, "dividers cannot be executed")
		return
	}
	var cmd *coreCommand
	for i := range coreCommands {
		if source == "core" && coreCommands[i].action == action {
			cmd = &coreCommands[i].coreCommand
		}
	}
	switch {
	case cmd == nil:
		writeError(w, http.StatusNotFound, "no system command "+strconv.Quote(source+"/"+action))
		return
	case cmd.restart && !s.opts.Restartable:
		writeError(w, http.StatusNotFound, "no system command "+strconv.Quote(source+"/"+action)+": this server cannot restart itself (it was not started by tentacle serve, or this system cannot re-execute a process)")
		return
	}
	if cmd.stop.SafeMode && !s.requestSafeMode(w) {
		return
	}
	if !s.askStop(cmd.stop) {
		writeError(w, http.StatusConflict, "the server is already stopping")
		return
	}
	s.log.Info("system command", "command", source+"/"+action)
	w.WriteHeader(http.StatusNoContent)
}

// askStop asks for a stop (once: it reports false when one was asked
// already). In the background it tells the socket's clients, waits for an
// install under way, and ends Run.
func (s *Server) askStop(req StopRequest) bool {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.stopAsked != nil {
		return false
	}
	s.stopAsked = &req
	go func() {
		s.sockets.stopping(req)
		if s.ops != nil {
			s.ops.Wait() // an install asked for from now on is refused
		}
		close(s.quit)
	}()
	return true
}

// StopRequested reports the stop a system command asked for, once Run has
// returned: the command that runs the server re-executes it when
// req.Restart is set.
func (s *Server) StopRequested() (req StopRequest, asked bool) {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.stopAsked == nil {
		return StopRequest{}, false
	}
	return *s.stopAsked, true
}

// stopping reports whether a system command asked the server to stop.
func (s *Server) stopping() bool {
	_, asked := s.StopRequested()
	return asked
}

// errStopping refuses an install once a stop was asked for: a conflict,
// as another install under way (install.ErrBusy).
type errStopping struct{}

func (errStopping) Error() string { return "the server is stopping: no install now" }
func (errStopping) Unwrap() error { return install.ErrBusy }
