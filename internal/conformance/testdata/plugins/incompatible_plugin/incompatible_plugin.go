// Package incompatible_plugin wants a host API version nobody has.
package incompatible_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Incompatible Plugin",
	Version: "1.0.0",
	Compat:  ">=99",
}
