// Package single is a one-file source plugin for plugintest's tests.
package single

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Single",
	Version: "0.1.0",
	Helpers: tentacle.Helpers{"twice": func(n int) int { return 2 * n }},
}
