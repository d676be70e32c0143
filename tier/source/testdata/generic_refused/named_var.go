package named_var

import (
	"slices"

	"github.com/tentacle-go/tentacle"
)

type names []string

func copyOf(ns names) names {
	var out names = slices.Clone(ns)
	return out
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": copyOf}}
