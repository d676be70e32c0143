// runtime.SetFinalizer on a misaligned pointer is a fatal error of the
// runtime, which no recover catches.
package escape

import (
	"runtime"

	"github.com/tentacle-go/tentacle"
)

type pair struct{ a, b int }

func crash() {
	p := &pair{}
	runtime.SetFinalizer(&p.b, func(_ *int) {})
}

var Plugin = tentacle.Definition{}
