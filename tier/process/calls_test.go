package process_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/sdk"
)

// TestCallsBothWays: a hook handler, a hook handler that reads the
// plugin's settings from inside the call (a call back into the host), and
// a helper with an error result, over direct calls and over gRPC alone.
func TestCallsBothWays(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "direct", false: "grpc"}[direct], func(t *testing.T) {
			if !direct {
				t.Setenv(sdk.DirectCallsEnv, "off") // inherited by the plugin
			}
			h := newHost(t, hostConfig{plugins: map[string]string{"hello": "hello"}})
			if in := h.info("hello"); !in.Enabled || in.Process.DirectCalls != direct {
				t.Fatalf("hello: enabled %v, process %+v; want direct calls %v", in.Enabled, in.Process, direct)
			}
			if out := callHook(h.line, "g1 x1"); strings.Join(out, ",") != "hello G1 X1" {
				t.Errorf("test.line: %q", out)
			}
			if out := callHook(h.greet, "Ada"); strings.Join(out, ",") != "hello Hello, Ada" {
				t.Errorf("test.greet: %q", out)
			}
			if got := h.info("hello").Process.DirectHost; got != direct {
				t.Errorf("the settings read came over the host's socket: %v, want %v", got, direct)
			}
			if err := h.store.Set("plugins.hello.greeting", "Ahoy"); err != nil {
				t.Fatal(err)
			}
			if out := callHook(h.greet, "Ada"); strings.Join(out, ",") != "hello Ahoy, Ada" {
				t.Errorf("test.greet after the setting changed: %q", out)
			}
			divide, ok := h.m.PluginManager().Helpers("hello", "divide")["divide"].(wire.RemoteFunc)
			if !ok {
				t.Fatal("no helper divide")
			}
			res, err := divide(7, 2)
			var q int
			if err != nil || len(res) != 1 || json.Unmarshal(res[0], &q) != nil || q != 3 {
				t.Errorf("divide(7, 2) = %s, %v", res, err)
			}
			if _, err := divide(7, 0); err == nil || !strings.Contains(err.Error(), "division by zero") {
				t.Errorf("divide(7, 0): %v; want the helper's error", err)
			}
		})
	}
}
