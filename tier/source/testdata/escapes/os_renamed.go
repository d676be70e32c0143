// A renamed import of os.
package escape

import (
	sys "os"

	"github.com/tentacle-go/tentacle"
)

func run() {
	_, _ = sys.StartProcess("/bin/true", nil, &sys.ProcAttr{})
}

var Plugin = tentacle.Definition{}
