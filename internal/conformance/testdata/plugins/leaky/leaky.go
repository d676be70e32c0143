// Package leaky starts a goroutine when it is enabled that ignores its
// context: it runs on after the plugin is disabled, until the test calls
// probe.Unblock.
package leaky

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

type Leaky struct{ tentacle.Base }

func (p *Leaky) OnPluginEnabled() {
	go func() {
		probe.Block()
	}()
}

var Plugin = tentacle.Definition{
	Name:           "Leaky",
	Version:        "1.0.0",
	Implementation: &Leaky{},
}
