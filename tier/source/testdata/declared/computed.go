// Package computed builds every part by calling a function.
package computed

import "github.com/tentacle-go/tentacle"

type C struct{}

func (*C) RestartNeedingPlugin() {}

func hooks() tentacle.Hooks   { return tentacle.Hooks{"computed.hook": func() {}} }
func overlay() map[string]any { return map[string]any{"a": 1} }
func newC() *C                { return &C{} }

var Plugin = tentacle.Definition{
	Name:            "Computed",
	Hooks:           hooks(),
	SettingsOverlay: overlay(),
	Implementation:  newC(),
}
