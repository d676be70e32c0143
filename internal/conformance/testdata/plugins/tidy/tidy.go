// Package tidy starts a goroutine when it is enabled that stops when its
// context is cancelled, as plugins should.
package tidy

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

type Tidy struct{ tentacle.Base }

func (p *Tidy) OnPluginEnabled() {
	ctx := p.Context()
	go func() {
		<-ctx.Done()
		probe.Record("tidy", "stopped")
	}()
}

var Plugin = tentacle.Definition{
	Name:           "Tidy",
	Version:        "1.0.0",
	Implementation: &Tidy{},
}
