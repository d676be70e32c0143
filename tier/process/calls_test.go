package process_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestCallsBothWays: a hook handler, a hook handler that reads the
// plugin's settings from inside the call (a call back into the host), and
// a helper with an error result, over direct calls and over gRPC alone.
func TestCallsBothWays(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "direct", false: "grpc"}[direct], func(t *testing.T) {
			h := newHost(t, hostConfig{plugins: map[string]string{"hello": overGRPC(t, direct, "hello")}})
			if in := h.info("hello"); !in.Enabled || (in.Process.Details["direct_calls"] == true) != direct {
				t.Fatalf("hello: enabled %v, process %+v; want direct calls %v", in.Enabled, in.Process, direct)
			}
			if out := callHook(h.line, "g1 x1"); strings.Join(out, ",") != "hello G1 X1" {
				t.Errorf("test.line: %q", out)
			}
			if out := callHook(h.greet, "Ada"); strings.Join(out, ",") != "hello Hello, Ada" {
				t.Errorf("test.greet: %q", out)
			}
			if got := h.info("hello").Process.Details["direct_host"] == true; got != direct {
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

// TestAPICommandNumbers: a SimpleAPI command's data reaches the plugin's
// process with the Go types server.SimpleAPI promises: numbers written as
// integers as int, other numbers (5.0 included) as float64, through maps
// and slices, over direct calls and over gRPC alone. The data is what the
// server hands over for {"command": "types", "n": 3, "f": 2.5, "w": 5.0,
// "e": 1e3, "neg": -7, ...}.
func TestAPICommandNumbers(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "direct", false: "grpc"}[direct], func(t *testing.T) {
			h := newHost(t, hostConfig{
				plugins: map[string]string{"hello": overGRPC(t, direct, "hello")},
				mixins:  server.Mixins(),
			})
			p, _ := h.m.Plugin("hello")
			api, ok := manager.As[server.SimpleAPI](p)
			if !ok {
				t.Fatal("hello is not a SimpleAPI plugin")
			}
			data := map[string]any{
				"command": "types", "n": 3, "f": 2.5, "w": 5.0, "e": 1e3, "neg": -7, "s": "3", "b": true, "null": nil,
				"nested": map[string]any{"n": 1, "f": 0.5}, "list": []any{1, 2.5, "x"},
			}
			got, err := api.OnAPICommand("types", data)
			want := map[string]any{
				"command": "string", "n": "int", "f": "float64", "w": "float64", "e": "float64", "neg": "int", "s": "string", "b": "bool", "null": "<nil>",
				"nested": map[string]any{"n": "int", "f": "float64"}, "list": []any{"int", "float64", "string"},
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("the types hello got:\n%v (%v)\nwant\n%v", got, err, want)
			}
			if data["w"] != 5.0 || data["n"] != 3 {
				t.Errorf("the caller's data was changed: %v", data)
			}
		})
	}
}

// TestErrOverrunIsTimeout checks that an overrun, wrapped as the calls wrap
// it, says it is a timeout: the hook counts tell overruns from other
// failures of a call by it.
func TestErrOverrunIsTimeout(t *testing.T) {
	err := fmt.Errorf("plugin %q: hook x %w of 1s", "p", process.ErrOverrun)
	var to interface{ Timeout() bool }
	if !errors.As(err, &to) || !to.Timeout() {
		t.Errorf("%v: not a timeout", err)
	}
	if !errors.Is(err, process.ErrOverrun) {
		t.Errorf("%v: not ErrOverrun", err)
	}
}
