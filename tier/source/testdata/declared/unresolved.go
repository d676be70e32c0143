// Package unresolved names hooks by values that are not constants: the
// ones that are are listed.
package unresolved

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

var name = "unresolved.var"

var Plugin = tentacle.Definition{
	Name: "Unresolved",
	Hooks: tentacle.Hooks{
		"unresolved.const":           func() {},
		name:                         func() {},
		fmt.Sprint("unresolved.", 1): func() {},
		server.NoSuchConstant:        func() {},
	},
}
