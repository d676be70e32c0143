// Package failing is a source plugin for plugintest's tests whose
// Initialize fails.
package failing

import (
	"errors"

	"github.com/tentacle-go/tentacle"
)

type Failing struct{ tentacle.Base }

func (f *Failing) Initialize() error { return errors.New("no printer attached") }

var Plugin = tentacle.Definition{Name: "Failing", Version: "0.1.0", Implementation: &Failing{}}
