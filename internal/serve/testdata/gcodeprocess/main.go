// Command gcodeprocess serves testdata/plugins/gcodedemo as a process
// plugin, for the server's tests of the G-code hooks in every tier.
package main

import (
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/gcodedemo"
	"github.com/tentacle-go/tentacle/sdk"
)

func main() { sdk.Serve(gcodedemo.ID, gcodedemo.New()) }
