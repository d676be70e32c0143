package escape

import (
	"runtime/debug"

	"github.com/tentacle-go/tentacle"
)

func knobs() {
	debug.SetMaxStack(1 << 10)
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(1)
}

var Plugin = tentacle.Definition{}
