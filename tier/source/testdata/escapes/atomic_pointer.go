package escape

import (
	"sync/atomic"

	"github.com/tentacle-go/tentacle"
)

var f = atomic.LoadPointer

var Plugin = tentacle.Definition{}
