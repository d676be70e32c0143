// Command tool is a process plugin for the process tier's tests that
// misbehaves on demand: it exits or panics outside a call, hangs in a hook
// handler or in Initialize, and reaches the host's settings, event bus,
// logger and other plugins' helpers.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
)

// Tool is the plugin's implementation.
type Tool struct{ tentacle.Base }

// Initialize logs the process id, and sleeps as long as the setting "hang"
// says (a duration), to hang a lifecycle call.
func (t *Tool) Initialize() error {
	t.Logger().Info("tool initializing", "pid", os.Getpid())
	if d, err := time.ParseDuration(t.Settings().GetString("hang")); err == nil {
		time.Sleep(d)
	}
	return nil
}

var tool = &Tool{}

// sleep is a hook handler that sleeps as long as its argument says.
func sleep(d string) string {
	dur, err := time.ParseDuration(d)
	if err != nil {
		return "bad duration " + d
	}
	time.Sleep(dur)
	return "slept " + d
}

// later runs fn outside the call that asked for it, once the call has had
// the time to answer.
func later(fn func()) {
	go func() {
		time.Sleep(50 * time.Millisecond)
		fn()
	}()
}

var helpers = tentacle.Helpers{
	// pid returns the process id.
	"pid": func() int { return os.Getpid() },
	// exit ends the process with code, outside the call.
	"exit": func(code int) { later(func() { os.Exit(code) }) },
	// crash panics in a goroutine of its own, outside the call.
	"crash": func(msg string) { later(func() { panic(msg) }) },
	// explode panics in the call.
	"explode": func() int { panic("kaboom") },
	// relay calls another plugin's helper through the host, checking that
	// it gets a sdk.RemoteHelper, and returns the helper's first result.
	"relay": func(plugin, helper string, args []any) (any, error) {
		h, ok := tool.PluginManager().Helpers(plugin, helper)[helper]
		if !ok {
			return nil, fmt.Errorf("no helper %s of %s", helper, plugin)
		}
		rh, ok := h.(sdk.RemoteHelper)
		if !ok {
			return nil, fmt.Errorf("helper %s of %s is a %T, not a sdk.RemoteHelper", helper, plugin, h)
		}
		out, err := rh(args...)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return nil, nil
		}
		var v any
		if err := json.Unmarshal(out[0], &v); err != nil {
			return nil, err
		}
		return v, nil
	},
	// remember stores a setting of the plugin's and saves the settings.
	"remember": func(key string, value any) error {
		if err := tool.Settings().Set(key, value); err != nil {
			return err
		}
		return tool.Settings().Save()
	},
	// recall reads a setting of the plugin's.
	"recall": func(key string) any { return tool.Settings().Get(key) },
	// announce fires an event on the host's bus.
	"announce": func(event string, payload map[string]any) error {
		bus := server.Bus(tool.Context())
		if bus == nil {
			return errors.New("no event bus injected")
		}
		bus.Fire(event, payload)
		return nil
	},
	// say logs msg at level (DEBUG, INFO, WARN, ERROR).
	"say": func(level, msg string) error {
		var l slog.Level
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return err
		}
		tool.Logger().Log(tool.Context(), l, msg, "from", "tool")
		return nil
	},
}

// Plugin is the plugin's definition.
var Plugin = tentacle.Definition{
	Name:           "Tool",
	Version:        "1.0.0",
	Implementation: tool,
	Hooks: tentacle.Hooks{
		"test.slow":    sleep,
		"test.patient": sleep,
	},
	Helpers: helpers,
}

func main() { sdk.Serve("tool", &Plugin) }
