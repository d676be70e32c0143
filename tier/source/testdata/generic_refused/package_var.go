package package_var

import (
	"maps"

	"github.com/tentacle-go/tentacle"
)

var defaults = map[string]int{"speed": 100}

var current = maps.Clone(defaults) // set it in func init() instead

func get() map[string]int { return current }

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": get}}
