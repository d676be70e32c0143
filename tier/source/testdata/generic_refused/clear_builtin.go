package clear_builtin

import "github.com/tentacle-go/tentacle"

func reset(m map[string]int) {
	clear(m)
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": reset}}
