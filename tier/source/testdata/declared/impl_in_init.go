// Package impl_in_init sets its implementation in init, and its overlay.
package impl_in_init

import "github.com/tentacle-go/tentacle"

type I struct{}

func (*I) RestartNeedingPlugin() {}

var Plugin = &tentacle.Definition{Name: "Init"}

func init() {
	Plugin.Implementation = &I{}
	Plugin.SettingsOverlay = map[string]any{"a": 1}
}
