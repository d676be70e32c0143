// Command tool is a process plugin for the process tier's tests that
// misbehaves on demand: it exits or panics outside a call, hangs in a hook
// handler or in Initialize, and reaches the host's settings, event bus,
// logger and other plugins' helpers.
package main

import (
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
	// nap sleeps as long as its argument says (a duration).
	"nap": sleep,
	// relay calls another plugin's helper through the host, as a typed
	// function of one or two arguments, and returns its result.
	"relay": func(plugin, helper string, args []any) (any, error) {
		pm := tool.PluginManager()
		switch len(args) {
		case 1:
			var f func(any) any
			if err := pm.Helper(plugin, helper, &f); err != nil {
				return nil, err
			}
			return f(args[0]), nil
		case 2:
			var f func(any, any) any
			if err := pm.Helper(plugin, helper, &f); err != nil {
				return nil, err
			}
			return f(args[0], args[1]), nil
		}
		return nil, fmt.Errorf("relay takes one or two arguments, not %d", len(args))
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
