package server

import (
	"io/fs"
	"net/http"
)

// Sorting contexts the server passes to [tentacle.Sortable.SortingKey] when
// it calls a mixin, OctoPrint's names.
const (
	SortStartup      = "StartupPlugin.on_startup"
	SortAfterStartup = "StartupPlugin.on_after_startup"
	SortShutdown     = "ShutdownPlugin.on_shutdown"
)

// Startup is implemented by plugins that want to know the server is about
// to serve (StartupPlugin.on_startup). It is called once the plugins are
// enabled and before the server listens, with the address it will listen
// on; for a plugin enabled while the server runs, right after its enable.
// Keep it short: the server waits for it. Without it, nothing is called.
type Startup interface {
	OnStartup(host string, port int)
}

// AfterStartup is implemented by plugins that want to know the server is
// serving (StartupPlugin.on_after_startup). It is called in the background
// once the server listens, so a slow one never delays serving; for a plugin
// enabled while the server runs, right after its enable. A stop that
// begins while it runs waits for it (within the shutdown timeout) before
// any plugin's OnShutdown; once the stop has begun it is not called.
// Without it, nothing is called.
type AfterStartup interface {
	OnAfterStartup()
}

// Shutdown is implemented by plugins that want to know the server is
// stopping (ShutdownPlugin.on_shutdown). It is called before plugins are
// disabled, while every plugin is still enabled. Without it, nothing is
// called.
type Shutdown interface {
	OnShutdown()
}

// EventHandler is implemented by plugins that receive events
// (EventHandlerPlugin.on_event). Each plugin gets its events in order, on a
// goroutine of its own: a slow or panicking handler delays or breaks no
// other plugin (and no other event source). The payload is shared: do not
// modify it. Without it, the plugin gets no events.
type EventHandler interface {
	OnEvent(event string, payload map[string]any)
}

// SimpleAPI is implemented by plugins that answer commands at
// POST /api/plugin/<id> (SimpleApiPlugin). APICommands maps each command to
// the parameters it requires: a request missing one gets 400 naming it, an
// unknown command 404, both before OnAPICommand is called. OnAPICommand's
// data is the request's JSON object, "command" included: strings arrive as
// string, true and false as bool, null as nil, objects as map[string]any,
// arrays as []any, and numbers as int when written as an integer that fits
// (3, -7), else as float64 (2.5, 5.0, 1e3), in every tier (compiled in,
// source, process). OnAPICommand's result is sent as JSON (nil: 204 No
// Content); an error is sent as 500, or with its status when it is an
// *APIError. Every command needs the API key.
type SimpleAPI interface {
	APICommands() map[string][]string
	OnAPICommand(command string, data map[string]any) (any, error)
}

// APIGetter is implemented by SimpleAPI plugins that also answer
// GET /api/plugin/<id> (on_api_get). Its result is sent as JSON. Without it,
// such a GET gets 405.
type APIGetter interface {
	OnAPIGet(r *http.Request) (any, error)
}

// APIError is an error with the HTTP status a SimpleAPI or APIGetter wants
// sent, such as 400 for bad input or 409 for a conflict. The server sends
// the status of any error with an HTTPStatus() int method between 400 and
// 599 the same way; an APIError keeps its status when it crosses a process
// boundary.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Message }

// HTTPStatus returns the status to send.
func (e *APIError) HTTPStatus() int { return e.Status }

// Response is a SimpleAPI or APIGetter result sent with a success status
// of its own, as OctoPrint's (body, status) return: Body as JSON with
// Status (200 to 299), such as 202 Accepted. A plugin in a process of its
// own cannot send one: its results are sent with 200.
type Response struct {
	Status int
	Body   any
}

// Blueprint is implemented by plugins that serve their own routes under
// /plugin/<id>/ (BlueprintPlugin). The handler sees paths with that prefix
// removed ("/plugin/hello/greet" arrives as "/greet"). Requests that change
// something (any method but GET, HEAD and OPTIONS) need the API key unless
// the plugin implements [BlueprintUnprotected]. The routes are mounted when
// the plugin is enabled and unmounted when it is disabled, without a
// restart (unlike OctoPrint). Handler is called once per enable.
type Blueprint interface {
	Handler() http.Handler
}

// BlueprintUnprotected is implemented by Blueprint plugins that check
// access themselves; the server then lets every request through, one with
// a wrong API key included (elsewhere answered 403).
type BlueprintUnprotected interface {
	BlueprintUnprotected()
}

// Asset is implemented by plugins that ship static files (AssetPlugin),
// served at /plugin/<id>/static/. AssetFS returns the files (embed.FS,
// os.DirFS, ...); Assets lists, by kind ("js", "css"), the paths within it
// that the web page includes. Mounted and unmounted live, without a restart
// (unlike OctoPrint). Without it, nothing is served.
type Asset interface {
	AssetFS() fs.FS
	Assets() map[string][]string
}

// Restriction levels of [SettingsRestricted] paths.
const (
	// RestrictAdmin paths are only shown to callers with the API key.
	RestrictAdmin = "admin"
	// RestrictNever paths are never sent through the API and never written
	// through it.
	RestrictNever = "never"
)

// SettingsRestricted is implemented by settings plugins with paths that the
// settings API must not show to everyone (get_settings_restricted_paths):
// level (RestrictAdmin, RestrictNever) to dotted paths relative to the
// plugin's settings. A hidden path reads as null.
type SettingsRestricted interface {
	SettingsRestrictedPaths() map[string][]string
}

// SettingsValidator is implemented by settings plugins that check what the
// settings API is asked to store (part of on_settings_save): data holds the
// plugin's merged settings as they would be after the change. An error
// rejects the whole request with 400 and its message; nothing is stored.
// A [FieldErrors] error names the settings it refuses, which the API
// answers by field (and a generated settings form shows beside each).
// Without it, the server only checks that each value has the type of its
// default.
type SettingsValidator interface {
	ValidateSettings(data map[string]any) error
}
