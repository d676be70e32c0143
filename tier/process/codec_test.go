package process_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/gcodec"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/process"
)

// conventionsHost starts a test host with the conventions plugin, the
// G-code sending hook declared as the server declares it.
func conventionsHost(t testing.TB, opts process.Options) (*testHost, *hooks.Hook[server.GcodeHook]) {
	t.Helper()
	h := newHost(t, hostConfig{plugins: map[string]string{"conventions": "conventions"}, proc: opts, noStart: true})
	var hook *hooks.Hook[server.GcodeHook]
	for _, s := range server.Hooks() {
		if s.Name == server.HookGcodeSending {
			hook = hooks.MustDeclare[server.GcodeHook](h.m.Hooks(), s)
		}
	}
	if err := h.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h, hook
}

// TestGcodeCodec calls a process plugin's G-code handler with each of the
// hook's return conventions, its calls written by the G-code codec (a
// plugin that announces it) and as JSON (one that does not, as a plugin
// built before the codec): the host gets the same results either way.
func TestGcodeCodec(t *testing.T) {
	cmd := func(line string) server.Command {
		return server.Command{Line: line, Type: "t", Gcode: "M73", Subcode: "1", Tags: []string{"source:file", "x"}}
	}
	tests := []struct {
		line string
		want []server.Command
	}{
		{"unchanged", nil},
		{"empty", []server.Command{}},
		{"rewrite", server.Rewrite("M117 rewritten")},
		{"suppress", server.Suppress()},
		{"typed", []server.Command{{Line: "M106 S255", Type: "fan", Tags: []string{"trigger:test", "b"}}}},
		{"expand", []server.Command{{Line: "M400"}, {}, {Line: "M117 done", Tags: []string{"t"}}}},
		{"M73.1 P5", server.Rewrite("sending|M73.1 P5|t|M73|1|source:file,x")},
		{"ünïcode \"quoted\" <&>", server.Rewrite("sending|ünïcode \"quoted\" <&>|t|M73|1|source:file,x")},
	}
	for _, codec := range []bool{true, false} {
		t.Run(fmt.Sprintf("codec=%v", codec), func(t *testing.T) {
			if !codec {
				t.Setenv(sdk.FeaturesEnv, "off") // inherited by the plugin
			}
			h, hook := conventionsHost(t, process.Options{})
			features, _ := h.info("conventions").Process.Details["features"].([]string)
			if got := slices.Contains(features, "codec:"+gcodec.Name); got != codec {
				t.Fatalf("features %q; want the codec announced: %v", features, codec)
			}
			fn := hook.Handlers()[0].Fn
			for _, tt := range tests {
				if got := fn(server.PhaseSending, cmd(tt.line)); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("%q: got %#v, want %#v", tt.line, got, tt.want)
				}
			}
			func() {
				defer func() {
					if p, ok := recover().(*wire.RemotePanic); !ok || p.Value != "conventions: panic" {
						t.Errorf("a panic of the handler: recovered %v, want a *wire.RemotePanic", p)
					}
				}()
				fn(server.PhaseSending, cmd("panic"))
			}()
		})
	}
}
