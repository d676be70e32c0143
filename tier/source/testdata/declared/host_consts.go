// Package host_consts names hooks by constants and a variable of a host
// package of the test's (Options.Symbols).
package host_consts

import (
	"example.com/host"

	"github.com/tentacle-go/tentacle"
)

var Plugin = tentacle.Definition{
	Name: "Host constants",
	Hooks: tentacle.Hooks{
		host.Untyped: func() {},
		host.Typed:   func() {},
		host.Var:     func() {},
		host.Number:  func() {},
	},
}
