// Package hello is a test fixture of package install: a small source
// plugin that lint accepts.
package hello

import "github.com/tentacle-go/tentacle"

// Hello is the implementation.
type Hello struct{ tentacle.Base }

// Initialize logs a line.
func (h *Hello) Initialize() error {
	h.Logger().Info("hello")
	return nil
}

var Plugin = tentacle.Definition{
	Name:           "Hello",
	Version:        "1.0.0",
	Implementation: &Hello{},
}
