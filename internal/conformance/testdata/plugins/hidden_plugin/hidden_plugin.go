// Package hidden_plugin is hidden and discouraged from being disabled;
// both only count for a bundled plugin.
package hidden_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:                 "Hidden Plugin",
	Version:              "1.0.0",
	Hidden:               true,
	DisablingDiscouraged: "the host needs it",
}
