// Package another_ordered_hook_plugin has a conformance.ordered handler at
// order 100.
package another_ordered_hook_plugin

import "github.com/tentacle-go/tentacle"

func ordered() string { return "another_ordered_hook_plugin" }

var Plugin = tentacle.Definition{
	Name:    "Another Ordered Hook Plugin",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 100)},
}
