// Command filtered is a process plugin with a filtered G-code handler under
// OctoPrint's name of the hook, for the process tier's tests of filters.
package main

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

func sending(phase string, cmd server.Command) []server.Command { return server.Rewrite("M106 S0") }

var Plugin = tentacle.Definition{
	Name:    "Filtered",
	Version: "1.0.0",
	Hooks: tentacle.Hooks{
		"octoprint.comm.protocol.gcode.sending": tentacle.HookHandler{Func: sending, Order: 5, Filter: server.Filter{Commands: []string{"M107"}}},
	},
}

func main() { sdk.Serve("filtered", &Plugin) }
