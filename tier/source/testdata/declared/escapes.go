// Package escapes hands its whole definition to a function, which may
// change any of it.
package escapes

import "github.com/tentacle-go/tentacle"

type E struct{}

func (*E) Initialize() error { return nil }

var Plugin = tentacle.Definition{
	Name:           "Escapes",
	Hooks:          tentacle.Hooks{"escapes.hook": func() {}},
	Implementation: &E{},
}

func fill(d *tentacle.Definition) {}

func init() { fill(&Plugin) }
