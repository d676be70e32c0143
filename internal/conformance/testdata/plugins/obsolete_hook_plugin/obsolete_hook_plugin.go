// Package obsolete_hook_plugin registers a handler for an obsolete hook.
package obsolete_hook_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Obsolete Hook Plugin",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.obsolete": func() string { return "" }},
}
