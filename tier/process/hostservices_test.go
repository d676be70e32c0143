package process_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/settings"
)

// TestHostServices: what a process plugin asks of the host reaches it, over
// direct calls and over gRPC alike: another plugin's helper (a process
// plugin's and a compiled-in one's), its settings read and written and
// saved to config.yaml, an event fired on the host's bus, a log record
// under its name with its level; and a panic in one of its helpers is a
// fault of the plugin, whose process goes on.
func TestHostServices(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "direct", false: "grpc"}[direct], func(t *testing.T) {
			calc := &tentacle.Definition{Name: "Calc", Helpers: tentacle.Helpers{"add": func(a, b int) int { return a + b }}}
			h := newHost(t, hostConfig{
				plugins: map[string]string{"tool": overGRPC(t, direct, "tool"), "hello": overGRPC(t, direct, "hello")},
				builtin: map[string]*tentacle.Definition{"calc": calc},
			})
			pid := h.pid("tool")
			want := func(what, got string, err error, wantOut string) {
				t.Helper()
				if err != nil || got != wantOut {
					t.Errorf("%s: %s, %v; want %s", what, got, err, wantOut)
				}
			}

			got, err := h.call("tool", "relay", "hello", "upper", []any{"g1 x1"})
			want("a process plugin's helper", got, err, `"G1 X1"`)
			got, err = h.call("tool", "relay", "calc", "add", []any{2, 3})
			want("a compiled-in plugin's helper", got, err, `5`)

			_, err = h.call("tool", "remember", "colour", "red")
			want("remember", "", err, "")
			if v := h.store.GetString("plugins.tool.colour"); v != "red" {
				t.Errorf("the host's settings have colour %q, want red", v)
			}
			if b, err := os.ReadFile(filepath.Join(h.dir, "config.yaml")); err != nil || !strings.Contains(string(b), "colour: red") {
				t.Errorf("config.yaml after the plugin's Save: %q, %v", b, err)
			}
			// The host's store checks what a process plugin stores, as any
			// other: too deep a value is refused, naming the path.
			var deep any = 1
			for range settings.MaxDepth {
				deep = map[string]any{"a": deep}
			}
			if _, err := h.call("tool", "remember", "deep", deep); err == nil || !strings.Contains(err.Error(), `invalid value at "plugins.tool.deep.a.a`) {
				t.Errorf("remember a value too deep: %v; want the store's refusal", err)
			}
			if h.store.Has("plugins.tool.deep") {
				t.Error("the value too deep was stored")
			}
			if err := h.store.Set("plugins.tool.colour", "blue"); err != nil {
				t.Fatal(err)
			}
			got, err = h.call("tool", "recall", "colour")
			want("recall after the host's change", got, err, `"blue"`)

			_, err = h.call("tool", "announce", "plugin_tool_done", map[string]any{"n": 2, "what": "x"})
			want("announce", "", err, "")
			var fired bool
			for _, ev := range h.bus.fired() {
				// An int stays an int across the boundary.
				if ev.Name == "plugin_tool_done" && ev.Payload["what"] == "x" && ev.Payload["n"] == 2 {
					fired = true
				}
			}
			if !fired {
				t.Errorf("events on the host's bus: %+v; want plugin_tool_done", h.bus.fired())
			}

			_, err = h.call("tool", "say", "WARN", "careful now")
			want("say", "", err, "")
			h.waitFor("the plugin's log record", func() bool {
				rec, ok := h.logs.find("careful now")
				return ok && rec.Level.String() == "WARN" && rec.Attrs["plugin"] == "tool" && rec.Attrs["from"] == "tool"
			})

			faults := h.info("tool").Faults
			if _, err := h.call("tool", "explode"); err == nil || !strings.Contains(err.Error(), "kaboom") {
				t.Errorf("explode: %v; want the plugin's panic", err)
			}
			in := h.info("tool")
			if in.Faults != faults+1 || !strings.Contains(in.LastFault, "kaboom") {
				t.Errorf("faults %d (was %d), last %q; want the panic counted", in.Faults, faults, in.LastFault)
			}
			if in.Process.PID != pid || !in.Enabled {
				t.Errorf("after the panic: enabled %v, process %+v; want %d still running", in.Enabled, in.Process, pid)
			}
		})
	}
}
