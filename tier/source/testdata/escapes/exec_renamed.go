// A renamed import is still the package.
package escape

import (
	run "os/exec"

	"github.com/tentacle-go/tentacle"
)

func start() error { return run.Command("true").Run() }

var Plugin = tentacle.Definition{}
