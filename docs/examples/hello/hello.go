// Package hello is the plugin of the quickstart (docs/quickstart.md): a
// source plugin that the tentacle server runs from its plugins folder, no
// compiler needed. Copy this folder to <basedir>/plugins/hello/.
//
// It has one setting, greeting, and answers through the simple API:
// GET /api/plugin/hello shows the greeting, POST /api/plugin/hello with
// {"command": "greet", "name": "Ada"} greets someone.
package hello

import (
	"net/http"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// Hello is the implementation. Embedding tentacle.Base gives it the
// plugin's settings, logger and the rest of its context.
type Hello struct {
	tentacle.Base
}

// Interface guards: the interpreter checks them when it loads the plugin,
// so a misspelt method fails the load with a file and line.
var (
	_ tentacle.SettingsPlugin = (*Hello)(nil)
	_ server.SimpleAPI        = (*Hello)(nil)
	_ server.APIGetter        = (*Hello)(nil)
)

// SettingsDefaults are the plugin's defaults, under plugins.hello in
// config.yaml.
func (h *Hello) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "Hello"}
}

// APICommands: POST /api/plugin/hello takes the command "greet", which
// needs a "name".
func (h *Hello) APICommands() map[string][]string {
	return map[string][]string{"greet": {"name"}}
}

// OnAPICommand runs a command; its result is sent as JSON.
func (h *Hello) OnAPICommand(command string, data map[string]any) (any, error) {
	name, _ := data["name"].(string)
	if strings.TrimSpace(name) == "" {
		return nil, &server.APIError{Status: http.StatusBadRequest, Message: `"name" must be a non-empty string`}
	}
	return map[string]any{"greeting": h.Settings().GetString("greeting") + ", " + name + "!"}, nil
}

// OnAPIGet answers GET /api/plugin/hello.
func (h *Hello) OnAPIGet(r *http.Request) (any, error) {
	return map[string]any{"greeting": h.Settings().GetString("greeting")}, nil
}

// Plugin is the definition. The server reads its name and version without
// running the plugin, and takes the implementation from it.
var Plugin = tentacle.Definition{
	Name:           "Hello",
	Version:        "1.0.0",
	Description:    "Greets people through the simple API.",
	Author:         "Jane Doe",
	License:        "MIT",
	Implementation: &Hello{},
}
