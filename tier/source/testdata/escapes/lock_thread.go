package escape

import (
	"runtime"

	"github.com/tentacle-go/tentacle"
)

func pin() { runtime.LockOSThread() }

var Plugin = tentacle.Definition{}
