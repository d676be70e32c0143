// Command packaged is a process plugin for the server's end-to-end test of
// installed packages: its SimpleAPI answers "version" with the version it
// was built as (go build -ldflags "-X main.version=2.0.0"), "pid" with its
// process id, "types" with the Go types of its data's values, and "crash"
// by exiting with status 3.
package main

import (
	"fmt"
	"os"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

var version = "1.0.0"

type Packaged struct{ tentacle.Base }

var _ server.SimpleAPI = (*Packaged)(nil)

func (*Packaged) APICommands() map[string][]string {
	return map[string][]string{"version": nil, "pid": nil, "crash": nil, "types": nil}
}

func (p *Packaged) OnAPICommand(command string, data map[string]any) (any, error) {
	switch command {
	case "types":
		return types(data), nil
	case "crash":
		p.Logger().Error("packaged crashes on request")
		os.Exit(3)
	case "pid":
		return map[string]any{"pid": os.Getpid()}, nil
	}
	return map[string]any{"version": version}, nil
}

// types returns v with each value replaced by the name of its Go type,
// through maps and slices: what the "types" command answers.
func types(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = types(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = types(e)
		}
		return out
	}
	return fmt.Sprintf("%T", v)
}

func main() {
	sdk.Serve("packaged", &tentacle.Definition{
		Name:           "Packaged",
		Version:        version,
		Implementation: &Packaged{},
	})
}
