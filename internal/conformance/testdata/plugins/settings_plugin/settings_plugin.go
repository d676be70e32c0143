// Package settings_plugin implements the Settings mixin.
package settings_plugin

import "github.com/tentacle-go/tentacle"

type Settings struct{ tentacle.Base }

func (p *Settings) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "hello", "nested": map[string]any{"count": 3}}
}

var Plugin = tentacle.Definition{
	Name:           "Settings Plugin",
	Version:        "1.0.0",
	Implementation: &Settings{},
}
