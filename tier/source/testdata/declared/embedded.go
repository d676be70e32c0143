// Package embedded's implementation gets a marker method only through an
// embedded type, which the interpreter does not see: only its own methods
// count.
package embedded

import "github.com/tentacle-go/tentacle"

type marker struct{}

func (marker) RestartNeedingPlugin() {}

type E struct {
	tentacle.Base
	marker
}

func (e *E) Initialize() error { return nil }

var Plugin = tentacle.Definition{Name: "Embedded", Implementation: &E{}}
