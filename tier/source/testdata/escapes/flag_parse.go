// flag.Parse reads the server's command line and exits on an unknown flag.
package escape

import (
	"flag"

	"github.com/tentacle-go/tentacle"
)

func parse() { flag.Parse() }

var Plugin = tentacle.Definition{}
