// Command exitstart is a process plugin for the process tier's tests that
// gives up before it serves: it explains why on stderr and exits.
package main

import (
	"fmt"
	"os"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{Name: "Exit at start", Version: "1.0.0"}

func main() {
	fmt.Fprintln(os.Stderr, "exitstart: cannot start without its configuration")
	os.Exit(4)
	sdk.Serve("exitstart", &Plugin)
}
