// Changing user ids needs package syscall.
package escape

import (
	"syscall"

	"github.com/tentacle-go/tentacle"
)

func run() error { return syscall.Setuid(0) }

var Plugin = tentacle.Definition{}
