// Command crosstier is a process plugin that works with plugins of other
// tiers through the host, with the same typed calls any plugin makes: it
// handles the hook the weather example (a source plugin) defines, defines
// a hook of its own whose handlers it calls, and calls helpers of others.
package main

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"
)

// GreetHook is the hook this plugin defines for others.
const GreetHook = "tentacle.plugin.crosstier.greet"

type Cross struct{ tentacle.Base }

var impl = &Cross{}

// note handles the weather example's notes hook.
func note(city string, celsius float64) string {
	return fmt.Sprintf("noted by a process: %s at %.1f", city, celsius)
}

// greetAll calls every handler of GreetHook, as func(string) string.
func greetAll(name string) ([]string, error) {
	out := []string{}
	for _, e := range impl.PluginManager().Handlers(GreetHook) {
		var greet func(string) string
		if err := e.As(&greet); err != nil {
			return nil, err
		}
		out = append(out, greet(name))
	}
	return out, nil
}

// double is a helper for others; it panics for a negative number.
func double(n int) int {
	if n < 0 {
		panic("crosstier doubles no negative number")
	}
	return 2 * n
}

// askWeather calls the weather example's describe helper.
func askWeather() (string, error) {
	var describe func() string
	if err := impl.PluginManager().Helper("weather", "describe", &describe); err != nil {
		return "", err
	}
	return describe(), nil
}

var Plugin = tentacle.Definition{
	Name:           "Cross Tier",
	Version:        "1.0.0",
	Implementation: impl,
	Hooks:          tentacle.Hooks{"tentacle.plugin.weather.notes": note},
	Helpers:        tentacle.Helpers{"greetAll": greetAll, "double": double, "askWeather": askWeather},
}

func main() { sdk.Serve("crosstier", &Plugin) }
