package sdk_test

import (
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

// Shouter is a process plugin's implementation: the same as a compiled-in
// plugin's.
type Shouter struct{ tentacle.Base }

// Initialize runs on every enable, in the plugin's process.
func (s *Shouter) Initialize() error {
	s.Logger().Info("shouter ready") // reaches the host's log
	return nil
}

var _ tentacle.Initializer = (*Shouter)(nil)

// The main of a plugin executable, tentacle-plugin-shouter: it serves the
// definition to the host that started it (run by hand, it says what it is
// and exits).
func Example() {
	plugin := &tentacle.Definition{
		Name:           "Shouter",
		Version:        "1.0.0",
		Implementation: &Shouter{},
		Hooks:          tentacle.Hooks{"tentacle.comm.protocol.gcode.sending": tentacle.Hook(strings.ToUpper, 10)},
		Helpers:        tentacle.Helpers{"shout": strings.ToUpper},
	}
	sdk.Serve("shouter", plugin)
}

// A process plugin calls another plugin's helper through the host, as a
// function of the helper's own type, as a plugin of any tier does.
func Example_helper() {
	var p struct{ tentacle.Base } // the plugin's implementation, injected
	var shout func(string) string
	if err := p.PluginManager().Helper("greeter", "shout", &shout); err == nil {
		p.Logger().Info("greeter shouted", "text", shout("hello"))
	}
}
