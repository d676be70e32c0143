// Package restart_plugin needs a restart to be enabled or disabled.
package restart_plugin

import "github.com/tentacle-go/tentacle"

type Restart struct{ tentacle.Base }

func (*Restart) RestartNeedingPlugin() {}

var Plugin = tentacle.Definition{
	Name:           "Restart Plugin",
	Version:        "1.0.0",
	Implementation: &Restart{},
}
