// Loading compiled code: package plugin.
package escape

import (
	"plugin"

	"github.com/tentacle-go/tentacle"
)

func load() { _, _ = plugin.Open("/tmp/evil.so") }

var Plugin = tentacle.Definition{}
