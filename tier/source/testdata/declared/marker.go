// Package marker declares everything in its literal: hooks named by
// literals, constants (its own and the host's) and sums of them, a
// settings overlay, and an implementation with methods of both receivers.
package marker

import (
	"github.com/tentacle-go/tentacle"
	srv "github.com/tentacle-go/tentacle/server"
)

const prefix = "marker."

const (
	first = prefix + "first"
	again // repeats first's value
)

type Marker struct{ tentacle.Base }

func (*Marker) RestartNeedingPlugin() {}

func (Marker) Initialize() error { return nil }

func handler() string { return "" }

var Plugin = tentacle.Definition{
	Name:    "Marker",
	Version: "1.0.0",
	Hooks: tentacle.Hooks{
		"marker.literal":               handler,
		first:                          tentacle.Hook(handler, 10),
		("marker." + srv.EventStartup): handler,
	},
	SettingsOverlay: map[string]any{"server": map[string]any{"colour": "orange"}},
	Implementation:  &Marker{},
}

var _ = again
