// Package broken is a test fixture of package install: a source plugin
// that lint refuses (a range over an integer, which the interpreter does
// not run).
package broken

import "github.com/tentacle-go/tentacle"

func count() int {
	n := 0
	for range 3 {
		n++
	}
	return n
}

var Plugin = tentacle.Definition{Name: "Broken", Version: "1.0.0"}
