// Package hooks_in_load adds a hook handler in Load: the hooks of its
// literal are listed, but they may not be all.
package hooks_in_load

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:  "Late hooks",
	Hooks: tentacle.Hooks{"late.first": func() {}},
	Load: func() error {
		Plugin.Hooks["late.second"] = func() {}
		return nil
	},
}
