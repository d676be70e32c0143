package comm

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// spy records the commands that reach the sent phase.
type spy struct {
	mu   sync.Mutex
	cmds []server.Command
}

func (s *spy) handler(phase string, cmd server.Command) []server.Command {
	if cmd.Gcode == "M115" || cmd.Gcode == "M110" || cmd.Gcode == "G28" {
		return nil // the connection's own commands and the tests' marker
	}
	s.mu.Lock()
	s.cmds = append(s.cmds, cmd)
	s.mu.Unlock()
	return nil
}

func (s *spy) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.cmds {
		out = append(out, c.Line)
	}
	return out
}

// TestReturnConventions checks OctoPrint's return conventions of the G-code
// hooks, phase by phase, on a command sent through the API.
func TestReturnConventions(t *testing.T) {
	rewriteTags := []string{"source:api", "source:rewrite", "phase:%s", "plugin:p"}
	tests := []struct {
		name     string
		result   []server.Command
		want     []string // what reaches the printer
		wantType string   // the type of the first command sent
		wantTags []string // its tags; %s is the phase
	}{
		{name: "nil: unchanged", result: nil, want: []string{"M117 hi"}, wantTags: []string{"source:api"}},
		{name: "empty slice: unchanged", result: []server.Command{}, want: []string{"M117 hi"}, wantTags: []string{"source:api"}},
		{name: "same line: unchanged", result: server.Rewrite("M117 hi"), want: []string{"M117 hi"}, wantTags: []string{"source:api"}},
		{name: "rewrite", result: server.Rewrite("M117 bye"), want: []string{"M117 bye"}, wantTags: rewriteTags},
		{name: "rewrite with type and tags", result: []server.Command{{Line: "M117 typed", Type: "display", Tags: []string{"mine"}}},
			want: []string{"M117 typed"}, wantType: "display", wantTags: []string{"source:api", "mine", "source:rewrite", "phase:%s", "plugin:p"}},
		{name: "type only", result: []server.Command{{Line: "M117 hi", Type: "display"}}, want: []string{"M117 hi"}, wantType: "display", wantTags: []string{"source:api"}},
		{name: "suppress", result: server.Suppress(), want: nil},
		{name: "every entry dropped", result: []server.Command{{}, {Type: "x"}}, want: nil},
		{name: "dropped entries are skipped", result: []server.Command{{}, {Line: "M117 kept"}}, want: []string{"M117 kept"}, wantTags: rewriteTags},
		{name: "expansion", result: []server.Command{{Line: "M117 a"}, {Line: "M117 hi"}, {Line: "G4 P0"}},
			want: []string{"M117 a", "M117 hi", "G4 P0"}, wantTags: rewriteTags},
	}
	for _, phase := range []string{server.PhaseQueuing, server.PhaseQueued, server.PhaseSending, server.PhaseSent} {
		for _, tt := range tests {
			t.Run(phase+"/"+tt.name, func(t *testing.T) {
				r := newRig(t, Options{})
				s := &spy{}
				r.add("p", "tentacle.comm.protocol.gcode."+phase, server.GcodeHook(func(ph string, cmd server.Command) []server.Command {
					if ph != phase {
						t.Errorf("handler of %s called with phase %q", phase, ph)
					}
					if cmd.Gcode == "M117" && cmd.Line == "M117 hi" {
						return tt.result
					}
					return nil
				}))
				if phase != server.PhaseSent {
					r.add("spy", server.HookGcodeSent, server.GcodeHook(s.handler))
				} else if err := r.reg.Add("spy", server.HookGcodeSent, hooks.Registration{Func: server.GcodeHook(s.handler), Order: 2000, HasOrder: true}); err != nil {
					t.Fatal(err)
				}
				r.open(Options{})
				r.c.Send("M117 hi", "", []string{"source:api"})
				r.c.Send("G28", "", nil) // a marker: everything before it was handled
				r.waitFor("G28", func() bool { return slices.Contains(r.p.commands(), "G28") })
				got := r.sent()
				got = got[:len(got)-1]
				want, wantType, wantTags := tt.want, tt.wantType, tt.wantTags
				switch {
				case phase == server.PhaseQueued || phase == server.PhaseSent:
					// results are ignored
					want, wantType, wantTags = []string{"M117 hi"}, "", []string{"source:api"}
				case phase == server.PhaseSending && len(tt.want) > 1:
					// only the queuing phase may expand
					want, wantType, wantTags = []string{"M117 hi"}, "", []string{"source:api"}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("printer got %q, want %q", got, want)
				}
				if len(want) == 0 {
					return
				}
				s.mu.Lock()
				first := s.cmds[0]
				s.mu.Unlock()
				if first.Type != wantType {
					t.Errorf("type %q, want %q", first.Type, wantType)
				}
				var tags []string
				for _, tag := range wantTags {
					if tag == "phase:%s" {
						tag = "phase:" + phase
					}
					tags = append(tags, tag)
				}
				if !slices.Equal(first.Tags, tags) {
					t.Errorf("tags %q, want %q", first.Tags, tags)
				}
				if code, _ := CodeOf(first.Line); first.Gcode != code {
					t.Errorf("gcode %q of %q", first.Gcode, first.Line)
				}
			})
		}
	}
}

// TestHandlersChain checks that each handler sees what the previous one
// returned, and that a panicking handler is reported and skipped.
func TestHandlersChain(t *testing.T) {
	r := newRig(t, Options{})
	order := func(plugin string, order int, fn server.GcodeHook) {
		if err := r.reg.Add(plugin, server.HookGcodeSending, hooks.Registration{Func: fn, Order: order, HasOrder: true}); err != nil {
			t.Fatal(err)
		}
	}
	order("a", 1, func(_ string, cmd server.Command) []server.Command {
		if cmd.Line == "M117 one" {
			return server.Rewrite("M117 two")
		}
		return nil
	})
	order("b", 2, func(_ string, cmd server.Command) []server.Command {
		if cmd.Line == "M117 two" {
			panic(errors.New("boom"))
		}
		return nil
	})
	order("c", 3, func(_ string, cmd server.Command) []server.Command {
		if cmd.Line == "M117 two" {
			return server.Rewrite("M117 three")
		}
		return nil
	})
	r.open(Options{})
	r.c.Send("M117 one", "", nil)
	r.waitFor("M117 three", func() bool { return slices.Contains(r.p.commands(), "M117 three") })
	r.mu.Lock()
	faults := slices.Clone(r.faults)
	r.mu.Unlock()
	if len(faults) != 1 || faults[0] != "b "+server.HookGcodeSending+" boom" {
		t.Fatalf("faults %q, want one of plugin b", faults)
	}
}

// TestExpansionRunsLaterHandlersOnEachCommand checks that the handlers
// after an expansion see each command of it.
func TestExpansionRunsLaterHandlersOnEachCommand(t *testing.T) {
	r := newRig(t, Options{})
	if err := r.reg.Add("expand", server.HookGcodeQueuing, hooks.Registration{Func: server.GcodeHook(func(_ string, cmd server.Command) []server.Command {
		if cmd.Gcode == "M600" {
			return []server.Command{{Line: "M117 change"}, {Line: "G1 Z10"}, {Line: "M0"}}
		}
		return nil
	}), Order: 1, HasOrder: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.reg.Add("drop", server.HookGcodeQueuing, hooks.Registration{Func: server.GcodeHook(func(_ string, cmd server.Command) []server.Command {
		if cmd.Gcode == "M0" {
			return server.Suppress()
		}
		if cmd.Gcode == "M117" {
			return server.Rewrite("M117 filament change")
		}
		return nil
	}), Order: 2, HasOrder: true}); err != nil {
		t.Fatal(err)
	}
	r.open(Options{})
	r.c.Send("M600", "", nil)
	r.c.Send("G28", "", nil)
	r.waitFor("G28", func() bool { return slices.Contains(r.p.commands(), "G28") })
	if got, want := r.sent(), []string{"M117 filament change", "G1 Z10", "G28"}; !slices.Equal(got, want) {
		t.Fatalf("printer got %q, want %q", got, want)
	}
}
