// Package greeter is a source plugin for plugintest's tests: settings, a
// helper, a hook handler, the simple API and a file of its own.
package greeter

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

type Greeter struct{ tentacle.Base }

var (
	_ tentacle.SettingsPlugin = (*Greeter)(nil)
	_ tentacle.Initializer    = (*Greeter)(nil)
	_ server.SimpleAPI        = (*Greeter)(nil)
)

func (g *Greeter) SettingsDefaults() map[string]any { return map[string]any{"greeting": "hello"} }

func (g *Greeter) Initialize() error {
	motto, err := os.ReadFile(filepath.Join(g.BaseFolder(), "static", "motto.txt"))
	if err != nil {
		return err
	}
	g.Logger().Info("ready", "greeting", g.Settings().GetString("greeting"), "motto", strings.TrimSpace(string(motto)))
	return nil
}

func (g *Greeter) APICommands() map[string][]string { return map[string][]string{"greet": {"name"}} }

func (g *Greeter) OnAPICommand(command string, data map[string]any) (any, error) {
	name, _ := data["name"].(string)
	return map[string]any{"text": g.greet(name)}, nil
}

func (g *Greeter) greet(name string) string { return g.Settings().GetString("greeting") + ", " + name }

var impl = &Greeter{}

var Plugin = tentacle.Definition{
	Name:           "Greeter",
	Version:        "1.0.0",
	Implementation: impl,
	Helpers:        tentacle.Helpers{"greet": impl.greet},
	Hooks:          tentacle.Hooks{"test.rewrite": tentacle.Hook(func(s string) string { return s + "!" }, 5)},
}
