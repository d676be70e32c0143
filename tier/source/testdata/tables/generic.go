// The generic packages: slices, which imports cmp.
package generic

import (
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle"
)

func has(csv string) string {
	parts := strings.Split(csv, ",")
	if slices.Contains(parts, "b") {
		return "has b"
	}
	return "no b"
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": has}}
