// Package new_impl makes its implementation with new and keeps its hooks
// in a variable that nothing else mentions.
package new_impl

import "github.com/tentacle-go/tentacle"

type N int

func (*N) OnPluginEnabled() {}

var hooks = tentacle.Hooks{"new.one": func() {}}

var Plugin = &tentacle.Definition{Name: "New", Hooks: hooks, Implementation: new(N)}
