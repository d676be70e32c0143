// Package definer defines hooks of its own (tentacle.plugin.definer.note,
// checked and slow) and calls their handlers itself, with
// PluginManager().Handlers and HookEntry.As: from its helpers, from its
// handler of conformance.ordered and from OnPluginEnabled. It also calls
// the faulty fixture's helper shout. A failure in the code it calls is the
// fault of that code's plugin, never the definer's: the definer gets zero
// values, or an error where its function type has one.
package definer

import (
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

const id = "definer"

type Definer struct{ tentacle.Base }

var impl = &Definer{}

// OnPluginEnabled calls the note handlers and records what they returned.
func (d *Definer) OnPluginEnabled() {
	probe.Record(id, "enabled "+strings.Join(notes("enabled"), ","))
}

// call calls each handler of hook with s, as a func(string) string, and
// returns "<plugin>=<result>" for each.
func call(hook, s string) []string {
	out := []string{}
	for _, e := range impl.PluginManager().Handlers(hook) {
		var fn func(string) string
		if err := e.As(&fn); err != nil {
			out = append(out, e.Plugin+" misfit: "+err.Error())
			continue
		}
		out = append(out, e.Plugin+"="+fn(s))
	}
	return out
}

func notes(s string) []string { return call("tentacle.plugin.definer.note", s) }

func slow(d string) []string { return call("tentacle.plugin.definer.slow", d) }

// checked calls each handler of tentacle.plugin.definer.checked, as a
// func(string) (string, error), and returns "<plugin>=<result>" or
// "<plugin> error: <error>" for each.
func checked(s string) []string {
	out := []string{}
	for _, e := range impl.PluginManager().Handlers("tentacle.plugin.definer.checked") {
		var fn func(string) (string, error)
		if err := e.As(&fn); err != nil {
			out = append(out, e.Plugin+" misfit: "+err.Error())
			continue
		}
		res, err := fn(s)
		if err != nil {
			out = append(out, e.Plugin+" error: "+err.Error())
			continue
		}
		out = append(out, e.Plugin+"="+res)
	}
	return out
}

// shout calls the faulty fixture's helper shout.
func shout(s string) string {
	var fn func(string) string
	if err := impl.PluginManager().Helper("faulty", "shout", &fn); err != nil {
		return "no helper: " + err.Error()
	}
	return fn(s)
}

// ordered handles conformance.ordered with the results of the note
// handlers.
func ordered() string { return id + ":" + strings.Join(notes("ordered"), ",") }

var Plugin = tentacle.Definition{
	Name:           "Definer",
	Version:        "1.0.0",
	Implementation: impl,
	Hooks:          tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 30)},
	Helpers:        tentacle.Helpers{"notes": notes, "checked": checked, "slow": slow, "shout": shout},
}
