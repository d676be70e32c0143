// Package hook_plugin has an unordered handler for conformance.ordered and
// one for conformance.startup.
package hook_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Hook Plugin",
	Version: "1.0.0",
	Compat:  ">=1.0",
	Hooks: tentacle.Hooks{
		"conformance.startup": func() string { return "success" },
		"conformance.ordered": func() string { return "hook_plugin" },
	},
}
