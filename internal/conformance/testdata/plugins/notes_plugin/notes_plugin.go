// Package notes_plugin handles a hook another plugin defines for itself
// (tentacle.plugin.definer.notes, which no host declares), with a struct of
// its own as argument: the plugin that calls the hook gets the handler as a
// function of its own type, whatever the tier.
package notes_plugin

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
)

// Reading is this plugin's view of what the hook passes.
type Reading struct {
	City    string  `json:"city"`
	Celsius float64 `json:"celsius"`
}

func note(r Reading) string {
	if r.Celsius < 0 {
		return fmt.Sprintf("%s: freezing", r.City)
	}
	return fmt.Sprintf("%s: %.1f °C", r.City, r.Celsius)
}

var Plugin = tentacle.Definition{
	Name:    "Notes Plugin",
	Version: "1.0.0",
	Hooks:   tentacle.Hooks{"tentacle.plugin.definer.notes": tentacle.Hook(note, 5)},
}
