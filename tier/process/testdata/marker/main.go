// Command marker is a process plugin for the process tier's tests that
// leaves a mark when it runs: a file <executable name>.ran in its working
// directory (the folder of its executable), so that a test can tell
// whether the host ran it.
package main

import (
	"os"
	"path/filepath"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{
	Name:        "Marker",
	Version:     "0.1.0",
	Description: "leaves a mark when it runs",
	Helpers:     tentacle.Helpers{"ping": func() string { return "pong" }},
}

func main() {
	_ = os.WriteFile(filepath.Base(os.Args[0])+".ran", nil, 0o644)
	sdk.Serve("marker", &Plugin)
}
