package process_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// observerHost starts a test host with the observer plugin, the G-code
// sent and received hooks declared as the server declares them.
func observerHost(t testing.TB, opts process.Options) *testHost {
	t.Helper()
	h := newHost(t, hostConfig{plugins: map[string]string{"observer": "observer"}, proc: opts, noStart: true})
	for _, s := range server.Hooks() {
		switch s.Name {
		case server.HookGcodeSent:
			hooks.MustDeclare[server.GcodeHook](h.m.Hooks(), s)
		case server.HookGcodeReceived:
			hooks.MustDeclare[server.ReceivedHook](h.m.Hooks(), s)
		}
	}
	if err := h.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.pid("observer")
	return h
}

// sentCall is an observe-only call of the sent hook for line.
func sentCall(line string) tier.HookCall {
	return tier.HookCall{Hook: server.HookGcodeSent, Args: []any{server.PhaseSent, server.Command{Line: line, Tags: []string{"source:file"}}}}
}

// seen returns what the observer's handlers noted since the last time.
func (h *testHost) seen() []string {
	h.t.Helper()
	out, err := h.helper("observer", "seen")()
	var got []string
	if err != nil || len(out) != 1 || json.Unmarshal(out[0], &got) != nil {
		h.t.Fatalf("seen: %s, %v", out, err)
	}
	return got
}

// TestHookBatch hands the observer's instance batches of observe-only
// calls, in one round trip (a plugin that announces batches) or one call
// each (one that does not, as a plugin built before them): each call
// reaches its handler in order, a panic or a failure is reported for its
// own call only.
func TestHookBatch(t *testing.T) {
	for _, batches := range []bool{true, false} {
		t.Run(fmt.Sprintf("batches=%v", batches), func(t *testing.T) {
			if !batches {
				t.Setenv(sdk.FeaturesEnv, "off") // inherited by the plugin
			}
			h := observerHost(t, process.Options{HungAfter: -1})
			b := h.m.HookBatcher("observer")
			if b == nil {
				t.Fatal("the observer's instance takes no batches")
			}

			// In order, across hooks, a batch as large as the host makes.
			var calls []tier.HookCall
			var want []string
			for i := range 256 {
				if i%3 == 0 {
					calls = append(calls, tier.HookCall{Hook: server.HookGcodeReceived, Args: []any{fmt.Sprintf("ok %d", i)}})
					want = append(want, fmt.Sprintf("received ok %d", i))
					continue
				}
				calls = append(calls, sentCall(fmt.Sprintf("G1 X%d", i)))
				want = append(want, fmt.Sprintf("sent G1 X%d source:file", i))
			}
			failed := make([]any, len(calls))
			b.CallHooks(calls, failed)
			if i := slices.IndexFunc(failed, func(f any) bool { return f != nil }); i >= 0 {
				t.Fatalf("call %d failed: %v", i, failed[i])
			}
			if got := h.seen(); !slices.Equal(got, want) {
				t.Errorf("the handlers saw %d calls %q..., want %d in order", len(got), got[:min(3, len(got))], len(want))
			}

			// A panic in the middle: reported for its call, the others go on.
			calls = []tier.HookCall{sentCall("G1 X1"), sentCall("M999"), sentCall("G1 X2")}
			failed = make([]any, len(calls))
			b.CallHooks(calls, failed)
			if p, ok := failed[1].(*wire.RemotePanic); !ok || p.Value != "observer: M999" || failed[0] != nil || failed[2] != nil {
				t.Errorf("failed %v; want a *wire.RemotePanic of the second call only", failed)
			}
			if got, want := h.seen(), []string{"sent G1 X1 source:file", "sent G1 X2 source:file"}; !slices.Equal(got, want) {
				t.Errorf("the handlers saw %q, want %q", got, want)
			}

			// A hook the plugin does not handle fails that call alone.
			calls = []tier.HookCall{{Hook: "test.line", Args: []any{"x"}}, sentCall("G1 X3")}
			failed = make([]any, len(calls))
			b.CallHooks(calls, failed)
			var ce *wire.CallError
			if err, _ := failed[0].(error); !errors.As(err, &ce) || failed[1] != nil {
				t.Errorf("failed %v; want a *wire.CallError of the first call only", failed)
			}
			if got := h.seen(); !slices.Equal(got, []string{"sent G1 X3 source:file"}) {
				t.Errorf("the handlers saw %q", got)
			}
		})
	}
}

// failsAll hands calls to b and checks that each failed as a call that
// could not be made (a *wire.CallError), an overrun if overrun.
func failsAll(t *testing.T, b tier.HookBatcher, calls []tier.HookCall, overrun bool) {
	t.Helper()
	failed := make([]any, len(calls))
	b.CallHooks(calls, failed)
	for i, f := range failed {
		var ce *wire.CallError
		var to interface{ Timeout() bool }
		err, _ := f.(error)
		if !errors.As(err, &ce) || overrun && (!errors.As(ce.Err, &to) || !to.Timeout()) {
			t.Errorf("call %d: %v; want a *wire.CallError (an overrun: %v)", i, f, overrun)
		}
	}
}

// TestHookBatchDeadline: a batch that overruns its deadline fails each of
// its calls as an overrun; the plugin answers the next batch.
func TestHookBatchDeadline(t *testing.T) {
	h := observerHost(t, process.Options{HookTimeout: 50 * time.Millisecond, HungAfter: -1})
	b := h.m.HookBatcher("observer")
	calls := []tier.HookCall{sentCall("G1 X1"), sentCall("M0 2s"), sentCall("G1 X2")}
	failsAll(t, b, calls, true)
	h.waitFor("the observer to answer again", func() bool {
		failed := make([]any, 1)
		b.CallHooks([]tier.HookCall{sentCall("G1 X3")}, failed)
		return failed[0] == nil
	})
}

// TestHookBatchCrash: a process that ends in the middle of a batch fails
// the calls of that batch, as errors.
func TestHookBatchCrash(t *testing.T) {
	h := observerHost(t, process.Options{})
	old := h.pid("observer")
	b := h.m.HookBatcher("observer")
	calls := []tier.HookCall{sentCall("G1 X1"), sentCall("M112"), sentCall("G1 X2")}
	failsAll(t, b, calls, false)
	waitGone(t, old)
}

// TestHookBatchAfterDisable: calls still queued for a plugin that was
// disabled (its process stopped) fail at once, as errors, without a round
// trip; nothing of the plugin is left running (the host's cleanup checks
// for processes and goroutines).
func TestHookBatchAfterDisable(t *testing.T) {
	h := observerHost(t, process.Options{})
	b := h.m.HookBatcher("observer")
	pid := h.pid("observer")
	if _, err := h.m.Disable(context.Background(), "observer"); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	calls := []tier.HookCall{sentCall("G1 X1"), sentCall("G1 X2")}
	failsAll(t, b, calls, false)
	if h.m.HookBatcher("observer") != nil {
		t.Error("a disabled process plugin still has a batcher")
	}
}
