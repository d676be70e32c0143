// Command baddescribe is a process plugin for the process tier's tests
// that cannot describe itself: its hook handler's filter does not encode
// as JSON.
package main

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

var Plugin = tentacle.Definition{
	Name:  "Bad describe",
	Hooks: tentacle.Hooks{"test.line": tentacle.HookHandler{Func: func(s string) string { return s }, Filter: make(chan int)}},
}

func main() { sdk.Serve("baddescribe", &Plugin) }
