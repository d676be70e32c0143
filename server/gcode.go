package server

import (
	"strings"
)

// Command is one command on its way to the printer, as the G-code hooks see
// it (OctoPrint's cmd, cmd_type, gcode, subcode and tags).
//
// In a handler's result only Line, Type and Tags are read: the host works
// out Gcode and Subcode again from a changed Line.
type Command struct {
	// Line is the command without line number and checksum, such as
	// "G28 X". In a result, an empty Line drops this entry (OctoPrint's
	// (None,)); a result whose every entry is dropped suppresses the
	// command.
	Line string `json:"line"`
	// Type is the command's type (cmd_type), such as "temperature_poll";
	// empty for most commands. At most one command of a given non-empty
	// type waits in the send queue. In a result, an empty Type keeps the
	// command's own.
	Type string `json:"type,omitempty"`
	// Gcode is the command's code, "G28" for "G28 X", "T" for a tool
	// change, "" for what is not G-code (an @ command, a comment).
	Gcode string `json:"gcode,omitempty"`
	// Subcode is the code's subcode: "1" for "M73.1".
	Subcode string `json:"subcode,omitempty"`
	// Tags say where the command comes from: "source:file",
	// "source:api", "source:plugin", "plugin:<id>", "source:rewrite",
	// "phase:<phase>", "trigger:..."; OctoPrint's. The slice is shared:
	// copy it before changing it. In a result, Tags are added to the
	// command's.
	Tags []string `json:"tags,omitempty"`
}

// HasTag reports whether the command carries tag.
func (c Command) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Phases of a command on its way to the printer, the phase argument of a
// [GcodeHook] and [AtCommandHook].
const (
	// PhaseQueuing: the command is about to enter the send queue. The only
	// phase in which a handler may expand it into several commands.
	PhaseQueuing = "queuing"
	// PhaseQueued: the command entered the send queue. Results are ignored.
	PhaseQueued = "queued"
	// PhaseSending: the command is about to be written to the printer.
	PhaseSending = "sending"
	// PhaseSent: the command was written. Results are ignored.
	PhaseSent = "sent"
)

// GcodeHook is the handler type of the G-code hooks ([HookGcodeQueuing],
// [HookGcodeQueued], [HookGcodeSending], [HookGcodeSent]), OctoPrint's
// (comm_instance, phase, cmd, cmd_type, gcode, subcode, tags) without the
// comm instance: a plugin reaches the printer through [PrinterOf].
//
// What a handler returns decides what happens to the command, as
// OctoPrint's return conventions do:
//
//   - nil (or an empty slice): the command goes on unchanged (None).
//   - [Rewrite](line): the command is replaced (a string, or (cmd,)).
//   - []Command{{Line: l, Type: t, Tags: tags}}: replaced, with a type and
//     extra tags ((cmd, cmd_type) and (cmd, cmd_type, tags)).
//   - [Suppress](): the command is not sent ((None,), or []).
//   - several entries: the command is expanded into several commands, in
//     the queuing phase only; in any other phase the result is logged as
//     an error and the command goes on unchanged.
//
// A changed command gets the tags "source:rewrite", "phase:<phase>" and
// "plugin:<id>". The next handler sees what the previous one returned.
// The results of the queued and sent phases are ignored.
//
// Handlers run on the printer's send path, once per command and phase:
// no I/O and nothing slow. A handler that panics is reported against its
// plugin and the command goes on as if the handler were not there.
type GcodeHook func(phase string, cmd Command) []Command

// Rewrite returns the result of a [GcodeHook] that replaces the command by
// line, keeping its type.
func Rewrite(line string) []Command { return []Command{{Line: line}} }

// Suppress returns the result of a [GcodeHook] that drops the command.
func Suppress() []Command { return []Command{{}} }

// ReceivedHook is the handler type of [HookGcodeReceived]: it gets every
// line the printer sends (without the line end) and returns the line the
// host goes on with, the same one when it changes nothing. Returning ""
// makes the line empty, as OctoPrint's None does.
type ReceivedHook func(line string) string

// ErrorHook is the handler type of [HookGcodeError]: it gets the error
// message the firmware reported ("Error:..." without the prefix) and
// returns true when it handled it, which keeps the host from its default
// (cancel a running print and disconnect). The first handler that returns
// true ends the dispatch.
type ErrorHook func(message string) bool

// AtCommandHook is the handler type of [HookAtCommandQueuing] and
// [HookAtCommandSending]: it gets an @ command ("@pause now" is command
// "pause", parameters "now") in the given phase. The host sends no @
// command to the printer; what a handler returns is ignored.
type AtCommandHook func(phase, command, parameters string, tags []string)

// ActionHook is the handler type of [HookAction]: the printer sent an
// action command ("// action:pause"); action is "pause", name and params
// the words after it, line the whole line.
type ActionHook func(line, action, name, params string)

// FirmwareInfoHook is the handler type of [HookFirmwareInfo]: the printer
// answered M115 with firmware name and the report's fields
// (FIRMWARE_NAME, PROTOCOL_VERSION, MACHINE_TYPE, ...).
type FirmwareInfoHook func(name string, data map[string]string)

// FirmwareCapabilityHook is the handler type of [HookFirmwareCapabilities]:
// called for each "Cap:NAME:0|1" line of the printer's M115 report, with the
// capabilities reported before it.
type FirmwareCapabilityHook func(capability string, enabled bool, already map[string]bool)

// Temperature is one heater's reading.
type Temperature struct {
	Actual float64 `json:"actual"`
	Target float64 `json:"target"`
}

// TemperaturesHook is the handler type of [HookTemperaturesReceived]: it
// gets the heaters' readings by the firmware's names ("T0", "T1", "B",
// "C") and returns the readings the host goes on with, the same map when
// it changes nothing. A nil or empty result drops the report.
type TemperaturesHook func(temps map[string]Temperature) map[string]Temperature

// PortNamesHook is the handler type of [HookSerialPortNames]: it gets the
// port names found so far and returns names to add.
type PortNamesHook func(candidates []string) []string

// Filter narrows the calls a handler of one of the printer's hooks gets. A
// plugin sets it in [tentacle.HookHandler.Filter]; the host evaluates it
// before any call, so a handler in a process of its own, or an interpreted
// one, costs nothing on a line it did not ask for. The zero Filter
// matches every call.
type Filter struct {
	// Commands lists the codes a handler wants: G-code commands ("M117",
	// "G28", "T" for every tool change) for the G-code hooks, @ commands
	// ("pause") for the @ command hooks, actions ("pause") for the action
	// hook. Empty: every command.
	Commands []string `json:"commands,omitempty"`
	// Prefixes lists the beginnings of the received lines a handler of
	// [HookGcodeReceived] wants ("ok", "echo:", "T:"). Empty: every line.
	Prefixes []string `json:"prefixes,omitempty"`
	// Observe says the handler only watches: the host ignores what it
	// returns and may deliver its calls of the queued, sent and received
	// hooks later, in order, off the send path (a handler in a process of
	// its own gets them without holding up the printer).
	Observe bool `json:"observe,omitempty"`
}

// MatchesCommand reports whether f lets through a command with the given
// code.
func (f Filter) MatchesCommand(code string) bool {
	if len(f.Commands) == 0 {
		return true
	}
	for _, c := range f.Commands {
		if c == code {
			return true
		}
	}
	return false
}

// MatchesLine reports whether f lets through a received line.
func (f Filter) MatchesLine(line string) bool {
	if len(f.Prefixes) == 0 {
		return true
	}
	for _, p := range f.Prefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
