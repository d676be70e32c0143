// Command chatty is a process plugin for the process tier's tests that
// prints to stdout before it serves: where a host expects go-plugin's
// handshake from a plugin of the earlier protocol (built with the
// tentacle_grpc tag), and which the lean protocol logs.
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
