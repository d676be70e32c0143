package comm

import (
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// hooksHandler is a handler of a typed hook.
type hooksHandler[F any] = hooks.Handler[F]

// callTemps calls one temperatures handler; a panic leaves temps as they
// were.
func callTemps(h *hooks.Hook[server.TemperaturesHook], e hooks.Handler[server.TemperaturesHook], temps map[string]server.Temperature) (out map[string]server.Temperature) {
	defer func() {
		if r := recover(); r != nil {
			commLoop.Enter()
			h.Report(e.Plugin, r)
			out = temps
		}
	}()
	t := e.Stats.BeginOn(commLoop)
	out = e.Fn(temps)
	e.Stats.EndOn(commLoop, t)
	return out
}
