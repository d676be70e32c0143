package sdk_test

import (
	"encoding/json"
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

// A process plugin calls another plugin's helper through the host: the
// helper is a RemoteHelper, whose results come back as JSON.
func ExampleRemoteHelper() {
	var p struct{ tentacle.Base } // the plugin's implementation, injected
	helpers := p.PluginManager().Helpers("greeter", "shout")
	if shout, ok := helpers["shout"].(sdk.RemoteHelper); ok {
		results, err := shout("hello")
		var text string
		if err == nil && len(results) == 1 && json.Unmarshal(results[0], &text) == nil {
			p.Logger().Info("greeter shouted", "text", text)
		}
	}
}
