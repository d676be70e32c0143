// Package bad_compat has a compat constraint that does not parse.
package bad_compat

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Bad Compat",
	Version: "1.0.0",
	Compat:  "banana",
}
