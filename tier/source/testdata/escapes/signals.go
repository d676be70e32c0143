// Ignoring SIGTERM would keep the server from stopping.
package escape

import (
	"os"
	"os/signal"

	"github.com/tentacle-go/tentacle"
)

func deaf() { signal.Ignore(os.Interrupt) }

var Plugin = tentacle.Definition{}
