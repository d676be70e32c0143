// Package shared_hooks keeps its hooks and overlay in variables that init
// adds to.
package shared_hooks

import "github.com/tentacle-go/tentacle"

var hooks = tentacle.Hooks{"shared.one": func() {}}

var overlay = map[string]any{}

func init() {
	hooks["shared.two"] = func() {}
	overlay["a"] = 1
}

var Plugin = tentacle.Definition{Name: "Shared", Hooks: hooks, SettingsOverlay: overlay}
