package tentacle_test

import (
	"fmt"
	"strings"

	"github.com/tentacle-go/tentacle"
)

// Hello is a plugin implementation: it embeds Base to receive its context
// and implements mixins by having their methods.
type Hello struct{ tentacle.Base }

// Interface guards: a missing method is a compile error.
var (
	_ tentacle.Initializer    = (*Hello)(nil)
	_ tentacle.SettingsPlugin = (*Hello)(nil)
)

func (h *Hello) Initialize() error {
	h.Logger().Info("hello", "greeting", h.Settings().GetString("greeting"))
	return nil
}

func (h *Hello) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "Hello"}
}

func shout(line string) string { return strings.ToUpper(line) }

// A plugin is one Definition, registered at init like a database/sql driver.
func Example() {
	def := &tentacle.Definition{
		Name:           "Hello",
		Version:        "1.0.0",
		Compat:         ">=1.0, <2",
		Implementation: &Hello{},
		Hooks: tentacle.Hooks{
			// A handler at the default order (1000)...
			"tentacle.plugin.hello.greeting": shout,
			// ...and one with an explicit order.
			"tentacle.plugin.hello.farewell": tentacle.Hook(shout, 10),
		},
		Helpers: tentacle.Helpers{"shout": shout},
	}
	// In a real plugin: func init() { tentacle.Register("hello", &Plugin) }
	fmt.Println(def.Name, def.Version, len(def.Hooks), "hooks")
	// Output: Hello 1.0.0 2 hooks
}

func ExampleValidIdentifier() {
	fmt.Println(tentacle.ValidIdentifier("gcode_logger"), tentacle.ValidIdentifier("GCode-Logger"))
	// Output: true false
}
