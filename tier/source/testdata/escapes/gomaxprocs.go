package escape

import (
	"runtime"

	"github.com/tentacle-go/tentacle"
)

func throttle() { runtime.GOMAXPROCS(1) }

var Plugin = tentacle.Definition{}
