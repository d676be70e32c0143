// Command packaged is a process plugin for the server's end-to-end test of
// installed packages: its SimpleAPI answers "version" with the version it
// was built as (go build -ldflags "-X main.version=2.0.0"), "pid" with its
// process id, and "crash" by exiting with status 3.
package main

import (
	"os"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

var version = "1.0.0"

type Packaged struct{ tentacle.Base }

var _ server.SimpleAPI = (*Packaged)(nil)

func (*Packaged) APICommands() map[string][]string {
	return map[string][]string{"version": nil, "pid": nil, "crash": nil}
}

func (p *Packaged) OnAPICommand(command string, _ map[string]any) (any, error) {
	switch command {
	case "crash":
		p.Logger().Error("packaged crashes on request")
		os.Exit(3)
	case "pid":
		return map[string]any{"pid": os.Getpid()}, nil
	}
	return map[string]any{"version": version}, nil
}

func main() {
	sdk.Serve("packaged", &tentacle.Definition{
		Name:           "Packaged",
		Version:        version,
		Implementation: &Packaged{},
	})
}
