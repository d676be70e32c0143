// An os.Process made up from a pid.
package escape

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func kill() error { return (&os.Process{Pid: 1}).Kill() }

var Plugin = tentacle.Definition{}
