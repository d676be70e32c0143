// Closing one of the server's file descriptors by number.
package escape

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func closeFD() error { return os.NewFile(3, "").Close() }

var Plugin = tentacle.Definition{}
