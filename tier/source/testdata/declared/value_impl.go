// Package value_impl has a value implementation, nil hooks and an empty
// overlay. The interpreter finds the methods of both receivers on a value.
package value_impl

import "github.com/tentacle-go/tentacle"

type V struct{}

func (V) SettingsDefaults() map[string]any { return nil }

func (*V) RestartNeedingPlugin() {}

var Plugin = tentacle.Definition{
	Name:            "Value",
	Hooks:           nil,
	SettingsOverlay: map[string]any{},
	Implementation:  V{},
}
