// go/build runs the go command (go list).
package escape

import (
	"go/build"

	"github.com/tentacle-go/tentacle"
)

func find() { _, _ = build.Import("fmt", "", 0) }

var Plugin = tentacle.Definition{}
