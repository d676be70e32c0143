// Command conventions is a process plugin whose G-code sending handler
// answers with each of the hook's return conventions, chosen by the
// command's line, for the process tier's tests and benchmarks of the
// G-code codec. A G1 command goes on unchanged.
package main

import (
	"fmt"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

func sending(phase string, cmd server.Command) []server.Command {
	if cmd.Gcode == "G1" {
		return nil // most lines: the benchmarks'
	}
	switch cmd.Line {
	case "unchanged":
		return nil
	case "empty":
		return []server.Command{}
	case "rewrite":
		return server.Rewrite("M117 rewritten")
	case "suppress":
		return server.Suppress()
	case "typed":
		return []server.Command{{Line: "M106 S255", Type: "fan", Tags: []string{"trigger:test", "b"}}}
	case "expand":
		return []server.Command{{Line: "M400"}, {}, {Line: "M117 done", Tags: []string{"t"}}}
	case "panic":
		panic("conventions: panic")
	}
	// Anything else: what the handler got, so that the arguments are seen.
	return server.Rewrite(fmt.Sprintf("%s|%s|%s|%s|%s|%s", phase, cmd.Line, cmd.Type, cmd.Gcode, cmd.Subcode, strings.Join(cmd.Tags, ",")))
}

var Plugin = tentacle.Definition{
	Name:    "Conventions",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{server.HookGcodeSending: sending},
}

func main() { sdk.Serve("conventions", &Plugin) }
