// Command chatty is a process plugin for the process tier's tests that
// prints to stdout before it serves, where the host expects the handshake.
package main

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{Name: "Chatty", Version: "1.0.0"}

func main() {
	fmt.Println("chatty starting up")
	sdk.Serve("chatty", &Plugin)
}
