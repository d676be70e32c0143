// Command hello is a small process plugin for the process tier's tests.
package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

type Hello struct{ tentacle.Base }

func (h *Hello) Initialize() error {
	h.Logger().Info("hello initialized", "greeting", h.Settings().GetString("greeting"))
	return nil
}

func (h *Hello) SettingsDefaults() map[string]any { return map[string]any{"greeting": "Hello"} }

func (h *Hello) APICommands() map[string][]string {
	return map[string][]string{"greet": {"name"}, "types": nil}
}

func (h *Hello) OnAPICommand(command string, data map[string]any) (any, error) {
	if command == "types" {
		return types(data), nil
	}
	if data["name"] == "" {
		return nil, &server.APIError{Status: 409, Message: "no name"}
	}
	return map[string]any{"text": h.Settings().GetString("greeting") + ", " + data["name"].(string)}, nil
}

// types returns v with each value replaced by the name of its Go type,
// through maps and slices: what the "types" command answers.
func types(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = types(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = types(e)
		}
		return out
	}
	return fmt.Sprintf("%T", v)
}

func upper(s string) string { return strings.ToUpper(s) }

func divide(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}

// impl is the implementation; greet reads its settings, a call back into
// the host from inside a hook handler.
var impl = &Hello{}

func greet(name string) string { return impl.Settings().GetString("greeting") + ", " + name }

var Plugin = tentacle.Definition{
	Name:           "Hello",
	Version:        "1.0.0",
	Implementation: impl,
	Hooks:          tentacle.Hooks{"test.line": tentacle.Hook(upper, 5), "test.greet": greet},
	Helpers:        tentacle.Helpers{"divide": divide, "upper": upper},
	Load:           func() error { return nil },
}

func main() { sdk.Serve("hello", &Plugin) }
