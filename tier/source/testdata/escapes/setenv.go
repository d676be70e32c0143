package escape

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func env() {
	_ = os.Setenv("PATH", "/tmp/evil")
	_ = os.Unsetenv("HOME")
	os.Clearenv()
}

var Plugin = tentacle.Definition{}
