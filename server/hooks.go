package server

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
)

// Names of the hooks the server calls. Each is also known by OctoPrint's
// name, "octoprint." in place of "tentacle." (see [OctoPrintName]), so that
// a plugin ported from OctoPrint keeps its hook names.
const (
	// The G-code hooks, called for every command on its way to the
	// printer, once per phase, with handlers of type [GcodeHook].
	HookGcodeQueuing = "tentacle.comm.protocol.gcode.queuing"
	HookGcodeQueued  = "tentacle.comm.protocol.gcode.queued"
	HookGcodeSending = "tentacle.comm.protocol.gcode.sending"
	HookGcodeSent    = "tentacle.comm.protocol.gcode.sent"
	// HookGcodeReceived is called for every line the printer sends
	// ([ReceivedHook]).
	HookGcodeReceived = "tentacle.comm.protocol.gcode.received"
	// HookGcodeError is called for every error the firmware reports
	// ([ErrorHook]).
	HookGcodeError = "tentacle.comm.protocol.gcode.error"
	// HookAtCommandQueuing and HookAtCommandSending are called for @
	// commands ([AtCommandHook]).
	HookAtCommandQueuing = "tentacle.comm.protocol.atcommand.queuing"
	HookAtCommandSending = "tentacle.comm.protocol.atcommand.sending"
	// HookAction is called for the printer's action commands
	// ([ActionHook]).
	HookAction = "tentacle.comm.protocol.action"
	// HookFirmwareInfo and HookFirmwareCapabilities are called with the
	// printer's answer to M115 ([FirmwareInfoHook],
	// [FirmwareCapabilityHook]).
	HookFirmwareInfo         = "tentacle.comm.protocol.firmware.info"
	HookFirmwareCapabilities = "tentacle.comm.protocol.firmware.capabilities"
	// HookTemperaturesReceived is called for every temperature report
	// ([TemperaturesHook]).
	HookTemperaturesReceived = "tentacle.comm.protocol.temperatures.received"
	// HookSerialFactory is asked for the connection to a port before the
	// server opens a serial port itself ([SerialFactoryHook]).
	HookSerialFactory = "tentacle.comm.transport.serial.factory"
	// HookSerialPortNames adds port names to the ones the server finds
	// ([PortNamesHook]).
	HookSerialPortNames = "tentacle.comm.transport.serial.additional_port_names"
	// HookHTTPRoutes adds HTTP routes under /plugin/<id>/ ([RoutesHook]).
	// Restart-needing.
	HookHTTPRoutes = "tentacle.server.http.routes"
	// HookHTTPBodySize raises or lowers the largest request body a route
	// takes ([BodySizeHook]). Restart-needing.
	HookHTTPBodySize = "tentacle.server.http.bodysize"
	// HookAccessPermissions adds permissions ([PermissionsHook]).
	// Restart-needing.
	HookAccessPermissions = "tentacle.access.permissions"
)

// SerialFactoryHook is the handler type of [HookSerialFactory]: it returns
// the connection to port when the handler serves it (a virtual printer, a
// network bridge), or nil, nil to leave it to the next handler and in the
// end to the server's serial ports. readTimeout is how long a read may
// wait for a byte.
type SerialFactoryHook func(port string, baudrate int, readTimeout time.Duration) (io.ReadWriteCloser, error)

// Route is one HTTP route a plugin adds with [HookHTTPRoutes]: Path is
// relative to /plugin/<id>/ ("download/" or "files/{name}", in the syntax
// of [http.ServeMux]). Routes are not protected: the handler checks access
// itself.
type Route struct {
	Path    string       `json:"path"`
	Handler http.Handler `json:"-"`
}

// RoutesHook is the handler type of [HookHTTPRoutes].
type RoutesHook func() []Route

// BodySize is the largest request body a route takes: Method ("POST"),
// Path relative to /plugin/<id>/ (a prefix), MaxBytes.
type BodySize struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	MaxBytes int64  `json:"max_bytes"`
}

// BodySizeHook is the handler type of [HookHTTPBodySize].
type BodySizeHook func() []BodySize

// Permission is a permission a plugin adds with [HookAccessPermissions],
// OctoPrint's: it becomes PLUGIN_<ID>_<KEY>.
type Permission struct {
	Key           string   `json:"key"`
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	Roles         []string `json:"roles,omitempty"`
	Dangerous     bool     `json:"dangerous,omitempty"`
	DefaultGroups []string `json:"default_groups,omitempty"`
}

// PermissionsHook is the handler type of [HookAccessPermissions].
type PermissionsHook func() []Permission

// lineBudget is the budget of a handler of a per-line hook in a process of
// its own: one that has not answered by then is skipped for that line.
const lineBudget = 20 * time.Millisecond

// Hooks returns the hooks the server calls, for a manager's hook registry
// (and plugintest.Options.Hooks in a plugin's tests).
func Hooks() []hooks.Spec {
	filter := reflect.TypeFor[Filter]()
	line := func(name string, typ reflect.Type, doc string) hooks.Spec {
		return hooks.Spec{Name: name, Type: typ, Filter: filter, Budget: lineBudget, Doc: doc}
	}
	gcode := reflect.TypeFor[GcodeHook]()
	specs := []hooks.Spec{
		line(HookGcodeQueuing, gcode, "a command is about to enter the send queue; may rewrite, suppress or expand it"),
		line(HookGcodeQueued, gcode, "a command entered the send queue; observe only"),
		line(HookGcodeSending, gcode, "a command is about to be written to the printer; may rewrite or suppress it"),
		line(HookGcodeSent, gcode, "a command was written to the printer; observe only"),
		line(HookGcodeReceived, reflect.TypeFor[ReceivedHook](), "a line came from the printer; may change it"),
		line(HookGcodeError, reflect.TypeFor[ErrorHook](), "the firmware reported an error; true when handled"),
		line(HookAtCommandQueuing, reflect.TypeFor[AtCommandHook](), "an @ command is about to be queued"),
		line(HookAtCommandSending, reflect.TypeFor[AtCommandHook](), "an @ command is about to be sent"),
		line(HookAction, reflect.TypeFor[ActionHook](), "the printer sent an action command"),
		{Name: HookFirmwareInfo, Type: reflect.TypeFor[FirmwareInfoHook](), Doc: "the printer answered M115"},
		{Name: HookFirmwareCapabilities, Type: reflect.TypeFor[FirmwareCapabilityHook](), Doc: "the printer reported a capability"},
		line(HookTemperaturesReceived, reflect.TypeFor[TemperaturesHook](), "the printer reported temperatures; may change them"),
		{Name: HookSerialFactory, Type: reflect.TypeFor[SerialFactoryHook](), Doc: "the connection to a port, before the server's serial ports"},
		{Name: HookSerialPortNames, Type: reflect.TypeFor[PortNamesHook](), Doc: "port names to offer"},
		{Name: HookHTTPRoutes, Type: reflect.TypeFor[RoutesHook](), RestartNeeding: true, Doc: "HTTP routes under /plugin/<id>/"},
		{Name: HookHTTPBodySize, Type: reflect.TypeFor[BodySizeHook](), RestartNeeding: true, Doc: "request body limits of routes under /plugin/<id>/"},
		{Name: HookAccessPermissions, Type: reflect.TypeFor[PermissionsHook](), RestartNeeding: true, Doc: "permissions the plugin adds"},
	}
	for i := range specs {
		specs[i].Aliases = []string{OctoPrintName(specs[i].Name)}
	}
	return specs
}

// OctoPrintName returns OctoPrint's name of one of the server's hooks:
// "octoprint.comm.protocol.gcode.sending" for
// "tentacle.comm.protocol.gcode.sending".
func OctoPrintName(hook string) string {
	if rest, ok := strings.CutPrefix(hook, "tentacle."); ok {
		return "octoprint." + rest
	}
	return hook
}
