// Package restart_hook_plugin registers a handler for a hook matching the
// host's restart-needing patterns.
package restart_hook_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Restart Hook Plugin",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.restart.thing": func() string { return "" }},
}
