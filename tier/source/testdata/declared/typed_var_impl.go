// Package typed_var_impl keeps its implementation in a variable of
// interface type, which init may set to anything.
package typed_var_impl

import "github.com/tentacle-go/tentacle"

type I struct{}

func (*I) RestartNeedingPlugin() {}

var impl any = &I{}

var Plugin = tentacle.Definition{Name: "Typed", Implementation: impl}
