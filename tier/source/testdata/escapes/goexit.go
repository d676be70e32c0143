// runtime.Goexit would end the server's goroutine that called the plugin.
package escape

import (
	"runtime"

	"github.com/tentacle-go/tentacle"
)

func (p *P) Initialize() error {
	runtime.Goexit()
	return nil
}

type P struct{ tentacle.Base }

var Plugin = tentacle.Definition{Implementation: &P{}}
