package wire_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
)

// remoteAdd is a helper "add" as it reaches another process: it adds two
// numbers, fails on negative ones, and its call fails when asked to.
func remoteAdd(args ...any) ([]json.RawMessage, error) {
	if len(args) != 2 {
		return nil, errors.New("call failed: want 2 arguments")
	}
	a, b := args[0].(int), args[1].(int)
	if a < 0 || b < 0 {
		return nil, errors.New("negative")
	}
	out, _ := json.Marshal(a + b)
	return []json.RawMessage{out}, nil
}

// otherRemote is a remote function type of another package's naming, as
// sdk.RemoteHelper is.
type otherRemote func(args ...any) ([]json.RawMessage, error)

func TestTyped(t *testing.T) {
	rf := wire.RemoteFunc(remoteAdd)
	add, ok := wire.Typed[func(int, int) (int, error)](rf)
	if !ok {
		t.Fatal("not typed")
	}
	if n, err := add(1, 2); n != 3 || err != nil {
		t.Errorf("add(1, 2) = %d, %v", n, err)
	}
	if _, err := add(-1, 2); err == nil || err.Error() != "negative" {
		t.Errorf("add(-1, 2): %v; want the helper's error", err)
	}
	// Another named remote function type converts too.
	add2, ok := wire.Typed[func(int, int) int](otherRemote(remoteAdd))
	if !ok || add2(2, 2) != 4 {
		t.Errorf("from another remote type: ok %v", ok)
	}
	// Without an error result, a failure panics, as the remote function's.
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "negative") {
				t.Errorf("panic %v; want the helper's error", r)
			}
		}()
		add2(-1, 0)
	}()
	// A result that does not decode into the type is an error.
	asString, _ := wire.Typed[func(int, int) (string, error)](rf)
	if _, err := asString(1, 2); err == nil || !strings.Contains(err.Error(), "result 0 (string)") {
		t.Errorf("undecodable result: %v", err)
	}
	// A value of the type already is returned as it is; others are refused.
	own := func(a, b int) (int, error) { return a * b, nil }
	if f, ok := wire.Typed[func(int, int) (int, error)](own); !ok || f == nil {
		t.Error("a function of the type itself was refused")
	} else if n, _ := f(3, 4); n != 12 {
		t.Errorf("the function of the type itself was wrapped: %d", n)
	}
	for name, v := range map[string]any{"nil": nil, "a string": "x", "another func": func() {}, "nil remote": wire.RemoteFunc(nil)} {
		if _, ok := wire.Typed[func(int, int) int](v); ok {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, ok := wire.TypedAs(rf, nil); ok {
		t.Error("a nil type accepted")
	}
}

// A compiled-in plugin calls a process plugin's helper with the helper's
// own Go type.
func ExampleTyped() {
	// helpers := p.PluginManager().Helpers("calc", "add"); here a stand-in:
	helpers := map[string]any{"add": wire.RemoteFunc(remoteAdd)}
	add, ok := wire.Typed[func(int, int) (int, error)](helpers["add"])
	if !ok {
		return
	}
	n, err := add(40, 2)
	fmt.Println(n, err)
	// Output: 42 <nil>
}

// TestTypedRecovered: a failure the host recovered and recorded as the
// function's plugin's fault (a *wire.Recovered) is not the caller's: the
// typed function returns it, unwrapped, as its error result, and zero
// values without one, never panicking.
func TestTypedRecovered(t *testing.T) {
	cause := errors.New("plugin \"b\": hook: panic: boom")
	rf := wire.RemoteFunc(func(args ...any) ([]json.RawMessage, error) {
		return nil, &wire.Recovered{Err: cause}
	})
	withErr, _ := wire.Typed[func(int) (int, error)](rf)
	if n, err := withErr(1); n != 0 || err != cause {
		t.Errorf("with an error result: %d, %v; want 0 and the recovered failure", n, err)
	}
	without, _ := wire.Typed[func(int) (string, int)](rf)
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("without an error result: panicked with %v", r)
			}
		}()
		if s, n := without(1); s != "" || n != 0 {
			t.Errorf("without an error result: %q, %d; want zero values", s, n)
		}
	}()
}
