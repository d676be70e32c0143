// Package wrong_hook_type registers a handler whose type does not fit the
// hook.
package wrong_hook_type

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Wrong Hook Type",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.ordered": func(n int) int { return n }},
}
