// Package zero_order_plugin has a conformance.ordered handler at order 0,
// which is a real order (OctoPrint would treat it as 1000).
package zero_order_plugin

import "github.com/tentacle-go/tentacle"

func ordered() string { return "zero_order_plugin" }

var Plugin = tentacle.Definition{
	Name:    "Zero Order Plugin",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 0)},
}
