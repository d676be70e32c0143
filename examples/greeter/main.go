// Command tentacle-plugin-greeter is a complete process plugin: it runs in
// a process of its own, so it may use any dependency and cannot take the
// host down. See README.md for how to build and install it.
package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

// Greeter greets, counts its greetings and tells the host's clients.
type Greeter struct {
	tentacle.Base
	greeted atomic.Int64
}

// Interface guards: a missing method is a compile error.
var (
	_ tentacle.Initializer    = (*Greeter)(nil)
	_ tentacle.SettingsPlugin = (*Greeter)(nil)
	_ server.SimpleAPI        = (*Greeter)(nil)
	_ server.Blueprint        = (*Greeter)(nil)
	_ server.EventHandler     = (*Greeter)(nil)
)

// SettingsDefaults are the plugin's settings, under plugins.greeter.
func (g *Greeter) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "Hello", "shout": false}
}

// Initialize runs on every enable, after the context is injected.
func (g *Greeter) Initialize() error {
	g.Logger().Info("greeter ready", "greeting", g.Settings().GetString("greeting"))
	return nil
}

// APICommands: POST /api/plugin/greeter {"command": "greet", "name": "Ada"}.
func (g *Greeter) APICommands() map[string][]string {
	return map[string][]string{"greet": {"name"}}
}

// OnAPICommand answers the commands.
func (g *Greeter) OnAPICommand(command string, data map[string]any) (any, error) {
	name, _ := data["name"].(string)
	if name == "" {
		return nil, &server.APIError{Status: http.StatusBadRequest, Message: "name must be a non-empty string"}
	}
	text := g.greet(name)
	if m := server.Messages(g.Context()); m != nil {
		m.SendPluginMessage(map[string]any{"greeted": name})
	}
	return map[string]any{"text": text, "count": g.greeted.Load()}, nil
}

// Handler serves GET /plugin/greeter/hello?name=Ada.
func (g *Greeter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, g.greet(r.URL.Query().Get("name")))
	})
	return mux
}

// OnEvent logs the server's start.
func (g *Greeter) OnEvent(event string, payload map[string]any) {
	if event == server.EventStartup {
		g.Logger().Info("the server started")
	}
}

func (g *Greeter) greet(name string) string {
	g.greeted.Add(1)
	text := g.Settings().GetString("greeting") + ", " + name
	if g.Settings().GetBool("shout") {
		text = strings.ToUpper(text)
	}
	return text
}

// Plugin is the plugin's definition, the same as a compiled-in plugin's.
var Plugin = tentacle.Definition{
	Name:           "Greeter",
	Version:        "1.0.0",
	Description:    "Greets, as a separate process.",
	Author:         "The Tentacle Authors",
	License:        "Apache-2.0",
	Compat:         ">=1.0, <2",
	Implementation: &Greeter{},
	Helpers:        tentacle.Helpers{"shout": strings.ToUpper},
}

func main() { sdk.Serve("greeter", &Plugin) }
