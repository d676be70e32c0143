// Package nothing declares no hook, no overlay and no implementation.
package nothing

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{Name: "Nothing", Version: "1.0.0"}
