// Package probesyms holds the symbols of package probe for the yaegi
// interpreter, so that interpreted conformance fixtures can use it.
// Regenerate with go generate.
package probesyms

import "reflect"

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name probesyms github.com/tentacle-go/tentacle/internal/conformance/probe

// Symbols maps "<import path>/<package name>" to package probe's symbols.
var Symbols = map[string]map[string]reflect.Value{}
