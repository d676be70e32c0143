package plugintest_test

import (
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/server"
)

// TestSpecs runs a plugin of the tentacle server against the server's
// hooks: its handler under OctoPrint's name of a hook, with a filter, is
// registered under the hook's name.
func TestSpecs(t *testing.T) {
	def := &tentacle.Definition{Name: "Fan", Version: "1.0.0", Hooks: tentacle.Hooks{
		"octoprint.comm.protocol.gcode.queuing": tentacle.HookHandler{
			Func:   func(string, server.Command) []server.Command { return nil },
			Filter: server.Filter{Commands: []string{"M107"}},
		},
	}}
	h := plugintest.New(t, "fan", def, plugintest.Options{Specs: server.Hooks(), Mixins: server.Mixins()})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	hs := h.Handlers(server.HookGcodeQueuing)
	if len(hs) != 1 {
		t.Fatalf("handlers = %+v", hs)
	}
	if f, ok := hs[0].Filter.(server.Filter); !ok || len(f.Commands) != 1 || f.Commands[0] != "M107" {
		t.Errorf("filter = %#v", hs[0].Filter)
	}
}
