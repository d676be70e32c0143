// Package split spreads its type, methods, constants and definition over
// files.
package split

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:           "Split",
	Hooks:          tentacle.Hooks{hookName: func() {}},
	Implementation: &S{},
}
