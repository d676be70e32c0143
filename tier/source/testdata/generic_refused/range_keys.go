package range_keys

import (
	"maps"

	"github.com/tentacle-go/tentacle"
)

func count(m map[string]int) int {
	n := 0
	for range maps.Keys(m) {
		n++
	}
	return n
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": count}}
