package pluginmanager

import (
	"context"
	"errors"
	"net/http"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
)

// Result is the outcome of a command as OctoPrint's Plugin Manager gives
// it, in the answer to the request and in the "result" message on the
// socket: whether it worked, what it needs, and the plugin's entry. Change
// is Tentacle's: what the manager changed.
type Result struct {
	Result         bool    `json:"result"`
	NeedsRestart   bool    `json:"needs_restart"`
	NeedsRefresh   bool    `json:"needs_refresh"`
	NeedsReconnect bool    `json:"needs_reconnect"`
	Plugin         any     `json:"plugin,omitempty"` // an Entry, or the identifier when the plugin is not known
	Reason         *string `json:"reason,omitempty"`

	// Source and SourceType say what an install installed from
	// ("url" or "path").
	Source     string `json:"source,omitempty"`
	SourceType string `json:"source_type,omitempty"`
	// WasReinstalled: an install replaced a plugin of that identifier.
	WasReinstalled *bool `json:"was_reinstalled,omitempty"`

	Change *manager.Change `json:"change,omitempty"`
	// Installed is what an install installed, where, and whether it
	// replaced a plugin.
	Installed *bundled.Installed `json:"installed,omitempty"`
	// Status is the HTTP status that says what went wrong with a failed
	// install (the request itself was answered at once).
	Status int `json:"status,omitempty"`
	// Error names the phase of a lifecycle error, with its message (the
	// same as Reason).
	Error *manager.ErrorInfo `json:"error,omitempty"`
}

// message is a Result as the socket's "result" message: OctoPrint's type
// and action beside the result's fields.
type message struct {
	Type   string `json:"type"`
	Action string `json:"action"`
	Result
}

// APICommands implements server.SimpleAPI: OctoPrint's commands. The
// parameters of install are checked by the command itself (url, or
// Tentacle's path).
func (p *Implementation) APICommands() map[string][]string {
	return map[string][]string{
		"install":               {},
		"uninstall":             {"plugin"},
		"enable":                {"plugin"},
		"disable":               {"plugin"},
		"cleanup":               {"plugin"},
		"cleanup_all":           {},
		"refresh_repository":    {},
		"clear_queued_plugin":   {"plugin"},
		"clear_queued_installs": {},
	}
}

// OnAPICommand implements server.SimpleAPI.
func (p *Implementation) OnAPICommand(command string, data map[string]any) (any, error) {
	a, err := p.admin()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	id, _ := data["plugin"].(string)
	switch command {
	case "enable", "disable":
		return p.toggle(ctx, a, command, id)
	case "uninstall":
		cleanup, _ := data["cleanup"].(bool)
		return p.uninstall(ctx, a, id, cleanup)
	case "cleanup":
		return p.cleanup(a, id)
	case "cleanup_all":
		return p.cleanupAll(a)
	case "install":
		return p.install(ctx, a, data)
	case "refresh_repository":
		return p.refreshRepository(ctx, a)
	case "clear_queued_plugin", "clear_queued_installs":
		// Installs are queued while a print runs; there is no printer yet,
		// so the queue is always empty.
		return &server.Response{Status: http.StatusAccepted, Body: map[string]any{"queued_installs": []any{}}}, nil
	}
	return nil, &server.APIError{Status: http.StatusNotFound, Message: "unknown command " + quote(command)}
}

// toggle enables or disables a plugin as OctoPrint's Plugin Manager does.
// A plugin whose own code failed gets a result with result false and the
// reason (200, as OctoPrint); a request the manager refuses gets its
// status.
func (p *Implementation) toggle(ctx context.Context, a bundled.Admin, command, id string) (any, error) {
	var ch manager.Change
	var err error
	if command == "enable" {
		ch, err = a.Enable(ctx, id)
	} else {
		ch, err = a.Disable(ctx, id)
	}
	if err != nil && !failedInPlugin(err) {
		return nil, &server.APIError{Status: statusOf(err), Message: err.Error()}
	}
	res := Result{Result: err == nil, Change: &ch}
	if err == nil {
		res.NeedsRestart, res.NeedsRefresh = ch.NeedsRestart, ch.NeedsReload
	} else {
		res.fail(err)
	}
	in, ok := a.Plugin(id)
	if ok {
		res.Plugin = entryOf(in, p.repo(a))
		if err == nil {
			p.fire(command+"_plugin", map[string]any{"id": id, "version": in.Version})
		}
	}
	p.send(command, res)
	return res, nil
}

// uninstall uninstalls a plugin as OctoPrint's Plugin Manager does, then
// cleans up after it when asked.
func (p *Implementation) uninstall(ctx context.Context, a bundled.Admin, id string, cleanup bool) (any, error) {
	in, ok := a.Plugin(id)
	switch {
	case !ok:
		return nil, &server.APIError{Status: http.StatusNotFound, Message: "unknown plugin " + quote(id)}
	case id == ID:
		return nil, &server.APIError{Status: http.StatusForbidden, Message: "the Plugin Manager cannot be uninstalled"}
	case in.Bundled:
		return nil, &server.APIError{Status: http.StatusForbidden, Message: "plugin " + quote(id) + " is bundled: bundled plugins cannot be uninstalled"}
	case !in.Managable:
		return nil, &server.APIError{Status: http.StatusForbidden, Message: "plugin " + quote(id) + " is not managable and hence cannot be uninstalled"}
	}
	p.log("message", "Uninstalling plugin "+id)
	ch, err := a.Uninstall(ctx, id)
	if err != nil && !failedInPlugin(err) {
		return nil, &server.APIError{Status: statusOf(err), Message: err.Error()}
	}
	res := Result{Result: err == nil, Change: &ch, NeedsRestart: ch.NeedsRestart, NeedsRefresh: ch.NeedsReload}
	if after, ok := a.Plugin(id); ok {
		in = after // pending uninstall until the restart
	} else {
		in.Enabled, in.State, in.Loaded = false, "uninstalled", false
	}
	res.Plugin = entryOf(in, p.repo(a))
	if err != nil {
		res.fail(err)
		p.log("stderr", err.Error())
	} else {
		p.log("stdout", "Uninstalled plugin "+id)
		p.fire("uninstall_plugin", map[string]any{"id": id, "version": in.Version})
	}
	p.send("uninstall", res)
	if err == nil && cleanup && !ch.Pending {
		if cerr := a.Cleanup(id); cerr != nil {
			p.log("stderr", cerr.Error())
		}
	}
	return res, nil
}

// cleanup removes what a plugin that is not installed left behind.
func (p *Implementation) cleanup(a bundled.Admin, id string) (any, error) {
	p.log("stdout", "Cleaning up plugin "+id+"...")
	res := Result{Result: true, Plugin: id}
	if in, ok := a.Plugin(id); ok {
		res.Plugin = entryOf(in, p.repo(a))
	}
	if err := a.Cleanup(id); err != nil {
		var le *manager.LifecycleError
		if !errors.As(err, &le) || errors.Is(err, settings.ErrReadOnly) {
			return nil, &server.APIError{Status: statusOf(err), Message: err.Error()}
		}
		if _, loaded := a.Plugin(id); loaded {
			return nil, &server.APIError{Status: http.StatusConflict, Message: err.Error()}
		}
		res.fail(err)
		p.log("stderr", err.Error())
	}
	p.send("cleanup", res)
	return res, nil
}

// cleanedUp is the result of cleanup_all: which plugins' leftovers were
// removed.
type cleanedUp struct {
	Result
	CleanedUp []string `json:"cleaned_up"`
}

// cleanupAll removes what every plugin that is not installed left.
func (p *Implementation) cleanupAll(a bundled.Admin) (any, error) {
	res := cleanedUp{Result: Result{Result: true}, CleanedUp: []string{}}
	var failed []string
	for _, o := range a.Orphans() {
		if err := a.Cleanup(o.Plugin); err != nil {
			failed = append(failed, err.Error())
			p.log("stderr", err.Error())
			continue
		}
		res.CleanedUp = append(res.CleanedUp, o.Plugin)
	}
	if len(failed) > 0 {
		res.fail(errors.New(failed[0]))
	}
	if m := server.Messages(p); m != nil {
		m.SendPluginMessage(struct {
			Type   string `json:"type"`
			Action string `json:"action"`
			cleanedUp
		}{"result", "cleanup_all", res})
	}
	return res, nil
}

// fail records err in the result.
func (r *Result) fail(err error) {
	r.Result = false
	msg := err.Error()
	r.Reason = &msg
	var le *manager.LifecycleError
	if errors.As(err, &le) {
		r.Error = &manager.ErrorInfo{Phase: le.Phase, Message: msg}
	}
}

// failedInPlugin reports whether err is the failure of a plugin's own code
// (an enable or disable that ran and failed), which OctoPrint answers with
// result false rather than an error status.
func failedInPlugin(err error) bool {
	var le *manager.LifecycleError
	if !errors.As(err, &le) {
		return false
	}
	return statusOf(err) == http.StatusInternalServerError
}

// statusOf maps a lifecycle error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, manager.ErrUnknownPlugin):
		return http.StatusNotFound
	case errors.Is(err, manager.ErrNotToggleable):
		return http.StatusBadRequest
	case errors.Is(err, manager.ErrNotManagable):
		return http.StatusForbidden
	case errors.Is(err, manager.ErrGated), errors.Is(err, settings.ErrReadOnly), errors.Is(err, manager.ErrReentrant):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// send pushes a result to the socket's clients as OctoPrint's "result"
// message.
func (p *Implementation) send(action string, res Result) {
	if m := server.Messages(p); m != nil {
		m.SendPluginMessage(message{Type: "result", Action: action, Result: res})
	}
}

// log pushes progress lines to the socket's clients as OctoPrint's
// "loglines" message; stream is message, call, stdout or stderr.
func (p *Implementation) log(stream string, lines ...string) {
	m := server.Messages(p)
	if m == nil {
		return
	}
	out := make([]map[string]string, len(lines))
	for i, l := range lines {
		out[i] = map[string]string{"line": l, "stream": stream}
	}
	m.SendPluginMessage(map[string]any{"type": "loglines", "loglines": out})
}

// fire fires one of the Plugin Manager's events, plugin_pluginmanager_<name>.
func (p *Implementation) fire(name string, payload map[string]any) {
	if b := server.Bus(p); b != nil {
		b.Fire(server.PluginEvent(ID, name), payload)
	}
}
