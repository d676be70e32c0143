package server

// Core events of the server (OctoPrint's names where OctoPrint has one).
const (
	// EventStartup: the server is serving. No payload.
	EventStartup = "Startup"
	// EventShutdown: the server is stopping. No payload.
	EventShutdown = "Shutdown"
	// EventClientOpened: a browser client connected to the socket.
	// Payload: remoteAddress.
	EventClientOpened = "ClientOpened"
	// EventClientClosed: a browser client disconnected. Payload:
	// remoteAddress.
	EventClientClosed = "ClientClosed"
	// EventSettingsUpdated: settings were changed through the API. Payload:
	// plugins (the identifiers whose settings changed) and config_hash (the
	// socket's hash of the configuration after the change, OctoPrint's).
	EventSettingsUpdated = "SettingsUpdated"
	// EventPluginEnabled, EventPluginDisabled, EventPluginLoaded and
	// EventPluginUnloaded: a plugin changed state. Payload: id, version.
	EventPluginEnabled  = "PluginEnabled"
	EventPluginDisabled = "PluginDisabled"
	EventPluginLoaded   = "PluginLoaded"
	EventPluginUnloaded = "PluginUnloaded"
)

// PluginEvent returns the name of plugin id's own event name, OctoPrint's
// plugin_<id>_<name>.
func PluginEvent(id, name string) string { return "plugin_" + id + "_" + name }
