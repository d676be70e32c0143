// A new interpreter, unrestricted.
package escape

import (
	"github.com/traefik/yaegi/interp"

	"github.com/tentacle-go/tentacle"
)

func run() { _ = interp.New(interp.Options{Unrestricted: true}) }

var Plugin = tentacle.Definition{}
