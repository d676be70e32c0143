// Package symbols holds the host API that source plugins see inside the
// interpreter: packages tentacle and server, extracted with yaegi extract and
// registered under their real import paths (yaegi needs
// "<import path>/<package name>" keys, or it panics when a plugin imports
// them). Register and its listing functions are left out: an interpreted
// plugin must not add itself to the host's bundled plugins. Regenerate with
// go generate after changing either package; a test fails when the files
// are stale.
package symbols

import "reflect"

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols -exclude ^Register$,^Registered$,^Registration$ github.com/tentacle-go/tentacle github.com/tentacle-go/tentacle/server

// Symbols maps "<import path>/<package name>" to the exported symbols of
// the host API packages, for interp.Interpreter.Use.
var Symbols = map[string]map[string]reflect.Value{}
