package compiled_slice

import (
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle"
)

func sorted(s string) []string {
	words := strings.Fields(s)
	slices.Sort(words) // words' type is strings.Fields's: slices.Sort([]string(words)) works
	return words
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": sorted}}
