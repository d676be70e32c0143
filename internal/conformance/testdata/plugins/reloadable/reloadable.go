// Package reloadable is version 1 of a plugin that the rescan tests replace
// with version 2 (reloadable_v2) under the same identifier. Every callback
// records "v1 <point>" for plugin reloadable in the probe (and fails there
// when told to); its hook handler and helper say v1.
package reloadable

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

const (
	id      = "reloadable"
	version = "v1 "
)

type Reloadable struct{ tentacle.Base }

func (p *Reloadable) OnPluginEnabled() { probe.Must(probe.Fault(id, version+"enabled")) }

func (p *Reloadable) OnPluginDisabled() { probe.Must(probe.Fault(id, version+"disabled")) }

func ordered() string { return "reloadable v1" }

func which() string { return "v1" }

var Plugin = tentacle.Definition{
	Name:           "Reloadable",
	Version:        "1.0.0",
	Implementation: &Reloadable{},
	Hooks:          tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 20)},
	Helpers:        tentacle.Helpers{"which": which},
	Load:           func() error { return probe.Fault(id, version+"load") },
	Unload:         func() error { return probe.Fault(id, version+"unload") },
	Enable:         func() error { return probe.Fault(id, version+"enable") },
	Disable:        func() error { return probe.Fault(id, version+"disable") },
}
