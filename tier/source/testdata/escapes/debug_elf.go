// A package left out of the allow-list.
package escape

import (
	"debug/elf"

	"github.com/tentacle-go/tentacle"
)

var _ = elf.Open

var Plugin = tentacle.Definition{}
