// Package faulty handles the hooks the definer fixture defines for itself
// (tentacle.plugin.definer.*) and offers a helper, each of which fails on
// demand through the probe (points note, checked and shout) or takes as
// long as it is told (slow): the code of another plugin that a plugin
// calls.
package faulty

import (
	"strings"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

const id = "faulty"

func note(s string) string {
	probe.Must(probe.Fault(id, "note"))
	return "noted " + s
}

func checked(s string) (string, error) {
	if err := probe.Fault(id, "checked"); err != nil {
		return "", err
	}
	return "checked " + s, nil
}

// slow sleeps as long as its argument says.
func slow(d string) string {
	dur, err := time.ParseDuration(d)
	if err != nil {
		return "bad duration " + d
	}
	time.Sleep(dur)
	return "slept " + d
}

func shout(s string) string {
	probe.Must(probe.Fault(id, "shout"))
	return strings.ToUpper(s)
}

var Plugin = tentacle.Definition{
	Name:    "Faulty",
	Version: "1.0.0",
	Hooks: tentacle.Hooks{
		"tentacle.plugin.definer.note":    note,
		"tentacle.plugin.definer.checked": checked,
		"tentacle.plugin.definer.slow":    slow,
	},
	Helpers: tentacle.Helpers{"shout": shout},
}
