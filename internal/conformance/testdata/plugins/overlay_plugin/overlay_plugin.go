// Package overlay_plugin layers settings over the defaults while enabled.
package overlay_plugin

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{
	Name:    "Overlay Plugin",
	Version: "1.0.0",
	SettingsOverlay: map[string]any{
		"plugins": map[string]any{"settings_plugin": map[string]any{"greeting": "from the overlay"}},
		"server":  map[string]any{"colour": "orange"},
	},
}
