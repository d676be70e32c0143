// Package var_impl keeps its implementation in a variable it uses
// elsewhere too: its type is still that of its value.
package var_impl

import "github.com/tentacle-go/tentacle"

type I struct{ tentacle.Base }

func (i *I) ReloadNeedingPlugin() {}

var impl = &I{}

func use() *I { return impl }

var Plugin = tentacle.Definition{Name: "Var", Implementation: impl}
