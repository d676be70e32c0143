// Command uiprocess serves testdata/plugins/uidemo as a process plugin,
// for the server's tests of server.Template in every tier.
package main

import (
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/uidemo"
	"github.com/tentacle-go/tentacle/sdk"
)

func main() { sdk.Serve(uidemo.ID, uidemo.New()) }
