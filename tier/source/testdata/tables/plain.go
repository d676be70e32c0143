// Strings only.
package plain

import (
	"strings"

	"github.com/tentacle-go/tentacle"
)

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": strings.ToUpper}}
