// The server's standard logger.
package escape

import (
	"io"
	"log"

	"github.com/tentacle-go/tentacle"
)

func silence() { log.Default().SetOutput(io.Discard) }

var Plugin = tentacle.Definition{}
