// Package mixed_plugin implements the Startup and Settings mixins and sorts
// at 100 in the "sorting_test" context.
package mixed_plugin

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

type Mixed struct{ tentacle.Base }

func (p *Mixed) OnStartup(host string, port int) { probe.Record("mixed_plugin", "startup") }

func (p *Mixed) SettingsDefaults() map[string]any { return map[string]any{"mixed": true} }

func (p *Mixed) SortingKey(context string) (int, bool) {
	if context == "sorting_test" {
		return 100, true
	}
	return 0, false
}

var Plugin = tentacle.Definition{
	Name:           "Mixed Plugin",
	Version:        "1.0.0",
	Implementation: &Mixed{},
}
