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

// Printer events, OctoPrint's names and payloads.
const (
	// EventConnecting: the server is opening a port. No payload.
	EventConnecting = "Connecting"
	// EventConnected: the printer answered. Payload: port, baudrate.
	EventConnected = "Connected"
	// EventDisconnecting and EventDisconnected: the connection is being
	// closed, is closed. No payload.
	EventDisconnecting = "Disconnecting"
	EventDisconnected  = "Disconnected"
	// EventPrinterStateChanged: the printer's state changed. Payload:
	// state_id ("OPERATIONAL", "PRINTING", ...), state_string.
	EventPrinterStateChanged = "PrinterStateChanged"
	// EventError: the connection failed or the firmware reported an error
	// nobody handled. Payload: error, reason.
	EventError = "Error"
	// EventFirmwareData: the printer answered M115. Payload: name, data.
	EventFirmwareData = "FirmwareData"
	// EventUpload, EventFileAdded, EventFileRemoved, EventUpdatedFiles: the
	// uploads folder changed. Payloads: name, path, target (and type for
	// FileAdded/FileRemoved: ["machinecode", "gcode"]); UpdatedFiles:
	// type "printables".
	EventUpload       = "Upload"
	EventFileAdded    = "FileAdded"
	EventFileRemoved  = "FileRemoved"
	EventUpdatedFiles = "UpdatedFiles"
	// EventFileSelected and EventFileDeselected: a file was (un)selected
	// for printing. Payload: name, path, origin, size.
	EventFileSelected   = "FileSelected"
	EventFileDeselected = "FileDeselected"
	// Print events. Payload: name, path, origin, size, owner; PrintDone
	// and PrintFailed add time (seconds); PrintFailed adds reason
	// ("error" or "cancelled"); PrintPaused and PrintCancelled add
	// position when known.
	EventPrintStarted    = "PrintStarted"
	EventPrintDone       = "PrintDone"
	EventPrintFailed     = "PrintFailed"
	EventPrintCancelling = "PrintCancelling"
	EventPrintCancelled  = "PrintCancelled"
	EventPrintPaused     = "PrintPaused"
	EventPrintResumed    = "PrintResumed"
)
