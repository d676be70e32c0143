// Signalling another process (the server's parent here).
package escape

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func kill() {
	if p, err := os.FindProcess(os.Getppid()); err == nil {
		_ = p.Kill()
	}
}

var Plugin = tentacle.Definition{}
