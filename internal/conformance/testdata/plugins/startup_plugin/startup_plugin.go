// Package startup_plugin implements the Startup mixin and sorts at 10 in the
// "sorting_test" context.
package startup_plugin

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

type Startup struct{ tentacle.Base }

func (p *Startup) OnStartup(host string, port int) { probe.Record("startup_plugin", "startup") }

func (p *Startup) SortingKey(context string) (int, bool) {
	if context == "sorting_test" {
		return 10, true
	}
	return 0, false
}

var Plugin = tentacle.Definition{
	Name:           "Startup Plugin",
	Version:        "1.0.0",
	Implementation: &Startup{},
}
