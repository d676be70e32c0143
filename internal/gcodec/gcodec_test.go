package gcodec

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
)

// viaJSON returns handler as the host calls it when its calls go as JSON
// arrays: wire.MakeFunc on the host's side, wire.Call on the plugin's.
func viaJSON(handler server.GcodeHook) server.GcodeHook {
	return wire.MakeFunc(hookType, func(args []byte) (wire.Result, error) {
		return wire.Call(reflect.ValueOf(handler), args, nil)
	}).Interface().(server.GcodeHook)
}

// viaCodec returns handler as the host calls it through the codec.
func viaCodec(handler any) server.GcodeHook {
	c := wire.CodecFor(reflect.TypeOf(handler))
	return c.MakeFunc(func(args []byte) (wire.Result, error) {
		return c.Call(reflect.ValueOf(handler), args, true)
	}).Interface().(server.GcodeHook)
}

// myHook is a named type of the hook's signature, as a plugin may declare.
type myHook func(string, server.Command) []server.Command

// TestConventionsBothWays runs each of the hook's return conventions
// through JSON and through the codec: the handler sees the same arguments
// and the host gets the same results.
func TestConventionsBothWays(t *testing.T) {
	tests := []struct {
		name string
		res  []server.Command
	}{
		{"unchanged", nil},
		{"unchanged, an empty slice", []server.Command{}},
		{"rewrite", server.Rewrite("M117 rewritten")},
		{"suppress", server.Suppress()},
		{"rewrite with type and tags", []server.Command{{Line: "M106 S255", Type: "fan", Tags: []string{"trigger:x", "b"}}}},
		{"rewrite with empty tags", []server.Command{{Line: "M106", Tags: []string{}}}},
		{"expansion", []server.Command{{Line: "M400"}, {}, {Line: "M117 done", Gcode: "M117", Subcode: "2", Tags: []string{"t"}}}},
		{"text JSON escapes", server.Rewrite("M117 \"<ü & \\ \t>\" \u2028")},
	}
	cmds := []server.Command{
		{Line: "G1 X10.5 Y20.25 E0.5", Gcode: "G1", Tags: []string{"source:file"}},
		{Line: "M73.1 P5", Type: "progress", Gcode: "M73", Subcode: "1", Tags: []string{"source:api", "plugin:x"}},
		{Line: "", Tags: []string{}},
		{Line: strings.Repeat("G1 X1 ", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cmd := range cmds {
				var seen [2]server.Command
				var phases [2]string
				handler := func(i int) server.GcodeHook {
					return func(phase string, c server.Command) []server.Command {
						phases[i], seen[i] = phase, c
						return tt.res
					}
				}
				gotJSON := viaJSON(handler(0))(server.PhaseQueuing, cmd)
				gotCodec := viaCodec(handler(1))(server.PhaseQueuing, cmd)
				if !reflect.DeepEqual(gotJSON, gotCodec) {
					t.Errorf("%q: JSON gives %#v, the codec %#v", cmd.Line, gotJSON, gotCodec)
				}
				if phases[0] != phases[1] || !reflect.DeepEqual(seen[0], seen[1]) {
					t.Errorf("%q: the handler saw %q %#v through JSON, %q %#v through the codec", cmd.Line, phases[0], seen[0], phases[1], seen[1])
				}
			}
		})
	}
}

// TestPanicBothWays: a panic of the handler reaches the host as the same
// *wire.RemotePanic either way; a named type of the signature is carried.
func TestPanicBothWays(t *testing.T) {
	recovered := func(fn server.GcodeHook) (v any) {
		defer func() { v = recover() }()
		fn(server.PhaseSending, server.Command{Line: "M999"})
		return nil
	}
	boom := func(string, server.Command) []server.Command { panic("boom") }
	a, b := recovered(viaJSON(boom)), recovered(viaCodec(myHook(boom)))
	if !reflect.DeepEqual(a, b) || a == nil {
		t.Errorf("JSON panics with %#v, the codec with %#v", a, b)
	}
}

// TestBadMessages: a message that is not the codec's fails to decode with
// an error, never a panic or a half-read value.
func TestBadMessages(t *testing.T) {
	good := AppendArgs(nil, "sending", server.Command{Line: "G1", Tags: []string{"a"}})
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"another version", append([]byte{2}, good[1:]...)},
		{"cut short", good[:len(good)-1]},
		{"bytes left over", append(append([]byte{}, good...), 0)},
		{"a text longer than the message", []byte{version, 0x7f}},
		{"a length that overflows", []byte{version, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"more tags than bytes", []byte{version, 0, 0, 0, 0, 0, 0x7f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := DecodeArgs(tt.data); err == nil {
				t.Errorf("DecodeArgs(%v): no error", tt.data)
			}
		})
	}
	for _, data := range [][]byte{nil, {version}, {version, 5}, {version, 2, 1}, {version, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, err := DecodeResults(data); err == nil {
			t.Errorf("DecodeResults(%v): no error", data)
		}
	}
}
