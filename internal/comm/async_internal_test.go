package comm

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// observerHook declares the received hook with one handler of plugin
// "observer" and returns the hook and the handler's entry.
func observerHook(t *testing.T, fn server.ReceivedHook) (*hooks.Registry, *hooks.Hook[server.ReceivedHook], hooks.Handler[server.ReceivedHook]) {
	t.Helper()
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[server.ReceivedHook](r, hooks.Spec{Name: server.HookGcodeReceived})
	if err := r.Add("observer", server.HookGcodeReceived, hooks.Registration{Func: fn}); err != nil {
		t.Fatal(err)
	}
	return r, h, h.Handlers()[0]
}

// received is an observed call of the received hook's handler e.
func received(h *hooks.Hook[server.ReceivedHook], e hooks.Handler[server.ReceivedHook], line string) observed {
	return observed{hook: h.Name(), line: line, recv: e.Fn, st: e.Stats, report: h.Report}
}

// recorder is a tier.HookBatcher that records its batches; it fails the
// calls whose line is in fail, and blocks its first batch until release
// is closed.
type recorder struct {
	mu      sync.Mutex
	batches [][]string
	fail    map[string]any
	started chan struct{}
	release chan struct{}
}

func (r *recorder) CallHooks(calls []tier.HookCall, failed []any) {
	r.mu.Lock()
	first := len(r.batches) == 0
	var lines []string
	for i, c := range calls {
		line := c.Args[0].(string)
		lines = append(lines, line)
		failed[i] = r.fail[line]
	}
	r.batches = append(r.batches, lines)
	r.mu.Unlock()
	if first && r.release != nil {
		close(r.started)
		<-r.release
	}
}

// TestAsyncSkipCounted: a call that finds an observer's queue full is
// skipped, and counted as a skip of the handler.
func TestAsyncSkipCounted(t *testing.T) {
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) {
			defer goleak.VerifyNone(t)
			release, started := make(chan struct{}), make(chan struct{})
			r, h, e := observerHook(t, func(line string) string {
				if line == "first" {
					close(started)
					<-release
				}
				return line
			})
			var batcher func(string) tier.HookBatcher
			if batched {
				rec := &recorder{started: started, release: release}
				batcher = func(string) tier.HookBatcher { return rec }
			}
			a := newAsyncCalls(func(string, ...any) {}, batcher)
			a.deliver("observer", received(h, e, "first"))
			<-started // the worker is busy: the queue fills
			for range asyncQueue + 2 {
				a.deliver("observer", received(h, e, "next"))
			}
			close(release)
			a.close()
			stats := r.Stats()
			if len(stats) != 1 || stats[0].Skipped != 2 || stats[0].Calls != asyncQueue+1 {
				t.Errorf("stats %+v; want %d calls, 2 skipped", stats, asyncQueue+1)
			}
		})
	}
}

// TestAsyncBatches: what is queued while a batch is under way goes in the
// next batches, up to batchMax calls each, in order.
func TestAsyncBatches(t *testing.T) {
	defer goleak.VerifyNone(t)
	r, h, e := observerHook(t, func(line string) string { return line })
	rec := &recorder{started: make(chan struct{}), release: make(chan struct{})}
	a := newAsyncCalls(nil, func(string) tier.HookBatcher { return rec })
	const n = 3*batchMax + 10
	a.deliver("observer", received(h, e, "0"))
	<-rec.started
	for i := 1; i < n; i++ {
		a.deliver("observer", received(h, e, fmt.Sprint(i)))
	}
	close(rec.release)
	a.close()
	var sizes []int
	var all []string
	for _, b := range rec.batches {
		sizes = append(sizes, len(b))
		all = append(all, b...)
	}
	if want := []int{1, batchMax, batchMax, batchMax, 9}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
	for i, line := range all {
		if line != fmt.Sprint(i) {
			t.Fatalf("call %d got %q: out of order", i, line)
		}
	}
	if st := r.Stats(); st[0].Calls != n {
		t.Errorf("%d calls counted, want %d", st[0].Calls, n)
	}
}

// TestAsyncBatchFailures: a call of a batch that fails is reported against
// the plugin, counted as its kind, and the calls after it go on.
func TestAsyncBatchFailures(t *testing.T) {
	defer goleak.VerifyNone(t)
	r, h, e := observerHook(t, func(line string) string { return line })
	rec := &recorder{started: make(chan struct{}), release: make(chan struct{}), fail: map[string]any{
		"2": &wire.RemotePanic{Value: "boom"},
		"4": &wire.CallError{Err: fmt.Errorf("the process is gone")},
	}}
	a := newAsyncCalls(nil, func(string) tier.HookBatcher { return rec })
	a.deliver("observer", received(h, e, "0"))
	<-rec.started
	for i := 1; i < 6; i++ {
		a.deliver("observer", received(h, e, fmt.Sprint(i)))
	}
	close(rec.release)
	a.close()
	if got := len(rec.batches); got != 2 || len(rec.batches[1]) != 5 {
		t.Fatalf("batches %v, want [0] then [1..5]", rec.batches)
	}
	st := r.Stats()[0]
	if st.Calls != 6 || st.Panics != 1 || st.Errors != 1 {
		t.Errorf("stats %+v: want 6 calls, 1 panic, 1 error", st)
	}
}

// TestAsyncBatcherPanics: a batcher that panics fails each call of its
// batch; the worker goes on with the next.
func TestAsyncBatcherPanics(t *testing.T) {
	defer goleak.VerifyNone(t)
	r, h, e := observerHook(t, func(line string) string { return line })
	calls := 0
	a := newAsyncCalls(nil, func(string) tier.HookBatcher {
		return batchFunc(func(c []tier.HookCall, _ []any) {
			calls += len(c)
			panic("batcher broken")
		})
	})
	for i := range 3 {
		a.deliver("observer", received(h, e, fmt.Sprint(i)))
	}
	a.close()
	if st := r.Stats()[0]; calls != 3 || st.Calls != 3 || st.Panics != 3 {
		t.Errorf("%d calls made, stats %+v: want 3 calls, 3 panics", calls, st)
	}
}

type batchFunc func([]tier.HookCall, []any)

func (f batchFunc) CallHooks(c []tier.HookCall, failed []any) { f(c, failed) }

// TestAsyncAlone: without a batcher each call is made alone, in order; a
// panic is reported and the next call goes on.
func TestAsyncAlone(t *testing.T) {
	defer goleak.VerifyNone(t)
	var got []string
	r, h, e := observerHook(t, func(line string) string {
		got = append(got, line)
		if line == "1" {
			panic("boom")
		}
		return line
	})
	a := newAsyncCalls(nil, func(string) tier.HookBatcher { return nil })
	for i := range 3 {
		a.deliver("observer", received(h, e, fmt.Sprint(i)))
	}
	a.close()
	if st := r.Stats()[0]; !slices.Equal(got, []string{"0", "1", "2"}) || st.Calls != 3 || st.Panics != 1 {
		t.Errorf("calls %v, stats %+v: want 0 1 2, 1 panic", got, st)
	}
}
