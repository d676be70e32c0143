// Package helper_plugin exports helpers for other plugins.
package helper_plugin

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

func add(a, b int) int { return a + b }

func greet(name string) (string, error) {
	if err := probe.Fault("helper_plugin", "helper"); err != nil {
		return "", err
	}
	return "hello " + name, nil
}

var Plugin = tentacle.Definition{
	Name:    "Helper Plugin",
	Version: "1.0.0",
	Helpers: tentacle.Helpers{"add": add, "greet": greet},
}
