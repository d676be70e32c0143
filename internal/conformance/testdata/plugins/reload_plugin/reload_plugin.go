// Package reload_plugin needs browser clients to reload when toggled.
package reload_plugin

import "github.com/tentacle-go/tentacle"

type Reload struct{ tentacle.Base }

func (*Reload) ReloadNeedingPlugin() {}

var Plugin = tentacle.Definition{
	Name:           "Reload Plugin",
	Version:        "1.0.0",
	Implementation: &Reload{},
}
