// Command hangstart is a process plugin for the process tier's tests that
// never gets to serve: it hangs before the handshake.
package main

import (
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{Name: "Hang at start", Version: "1.0.0"}

func main() {
	time.Sleep(time.Hour) // time.Sleep, not select{}: no deadlock to detect
	sdk.Serve("hangstart", &Plugin)
}
