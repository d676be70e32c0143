// Package reloadable_v2 is version 2 of plugin reloadable: the same
// callbacks, recording "v2 <point>" for plugin reloadable in the probe (and
// failing there when told to), and a hook handler and a helper that say v2.
package reloadable_v2

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

const (
	id      = "reloadable"
	version = "v2 "
)

type Reloadable struct{ tentacle.Base }

func (p *Reloadable) OnPluginEnabled() { probe.Must(probe.Fault(id, version+"enabled")) }

func (p *Reloadable) OnPluginDisabled() { probe.Must(probe.Fault(id, version+"disabled")) }

func ordered() string { return "reloadable v2" }

func which() string { return "v2" }

var Plugin = tentacle.Definition{
	Name:           "Reloadable",
	Version:        "2.0.0",
	Implementation: &Reloadable{},
	Hooks:          tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 20)},
	Helpers:        tentacle.Helpers{"which": which},
	Load:           func() error { return probe.Fault(id, version+"load") },
	Unload:         func() error { return probe.Fault(id, version+"unload") },
	Enable:         func() error { return probe.Fault(id, version+"enable") },
	Disable:        func() error { return probe.Fault(id, version+"disable") },
}
