// Package m107 is the first example of the printer guide (docs/printer.md):
// a source plugin with one G-code hook handler that turns every fan-off
// command, M107, into M106 S0, for printers whose firmware does not know
// M107. Copy this folder to <basedir>/plugins/m107/; the tentacle server
// runs it from source, no compiler needed.
package m107

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// rewriteM107 handles the queuing phase of every command: M107 becomes
// M106 S0, anything else goes on unchanged (nil).
func rewriteM107(phase string, cmd server.Command) []server.Command {
	if cmd.Gcode == "M107" {
		return server.Rewrite("M106 S0")
	}
	return nil
}

// Plugin is the definition. The handler asks only for M107 (its filter):
// the server does not even call it for the other commands.
var Plugin = tentacle.Definition{
	Name:        "Fan off as M106 S0",
	Version:     "1.0.0",
	Description: "Sends M106 S0 for M107.",
	License:     "MIT",
	Hooks: tentacle.Hooks{
		"octoprint.comm.protocol.gcode.queuing": tentacle.Filtered(rewriteM107,
			server.Filter{Commands: []string{"M107"}}),
	},
}
