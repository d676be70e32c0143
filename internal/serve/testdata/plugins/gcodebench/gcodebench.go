// Package gcodebench is the G-code handler of the server's benchmarks of
// the printer's send path in every tier. A plugin whose identifier starts
// with "benchf" asks for M117 only (a filter matching 1% of the
// benchmark's lines); one whose identifier starts with "bencho" observes
// every line of the sent hook only (server.Filter.Observe, delivered off
// the send path); any other asks for every line. Either way the handler
// looks at the command and leaves it unchanged.
package gcodebench

import (
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// sending handles the sending phase: it changes nothing, as most of
// OctoPrint's handlers on most lines.
func sending(phase string, cmd server.Command) []server.Command {
	if cmd.Gcode == "M600" {
		return server.Suppress()
	}
	return nil
}

// New returns the definition of plugin id.
func New(id string) *tentacle.Definition {
	h := tentacle.Hook(sending, tentacle.DefaultOrder)
	switch {
	case strings.HasPrefix(id, "benchf"):
		h = tentacle.Filtered(sending, server.Filter{Commands: []string{"M117"}})
	case strings.HasPrefix(id, "bencho"):
		h := tentacle.Filtered(sending, server.Filter{Observe: true})
		return &tentacle.Definition{Name: id, Version: "1.0.0", Hooks: tentacle.Hooks{server.HookGcodeSent: h}}
	}
	return &tentacle.Definition{Name: id, Version: "1.0.0", Hooks: tentacle.Hooks{server.HookGcodeSending: h}}
}
