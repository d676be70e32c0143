package comm

import (
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// asyncQueue is how many calls may wait for one plugin's observe-only
// handlers, besides those its worker has taken; a call that finds the
// queue full is skipped and logged.
const asyncQueue = 4096

// batchMax is how many queued calls a plugin's worker hands its
// [tier.HookBatcher] at most at once: one round trip into a plugin's
// process for up to this many calls.
const batchMax = 256

// observed is one observe-only call queued for a plugin's worker: a
// G-code hook's (gcode set) or the received hook's (recv set).
type observed struct {
	hook   string // the hook's name
	phase  string
	cmd    server.Command
	line   string
	gcode  server.GcodeHook
	recv   server.ReceivedHook
	st     *hooks.Stats
	report func(plugin string, recovered any)
}

// args returns the call's arguments, for a batch.
func (o *observed) args() []any {
	if o.gcode != nil {
		return []any{o.phase, o.cmd}
	}
	return []any{o.line}
}

// callAlone calls the handler itself, under its labels on asyncLoop; a
// panic is reported.
func (o *observed) callAlone(plugin string) {
	defer func() {
		if r := recover(); r != nil {
			asyncLoop.Enter()
			o.report(plugin, r)
		}
	}()
	t := o.st.BeginOn(asyncLoop)
	if o.gcode != nil {
		o.gcode(o.phase, o.cmd)
	} else {
		o.recv(o.line)
	}
	o.st.EndOn(asyncLoop, t)
}

// asyncCalls calls observe-only handlers of plugins in processes of their
// own off the send path: per plugin, in order, on a goroutine of its own,
// in batches of what is queued when the plugin's tier takes them
// (batcher), one call at a time otherwise.
type asyncCalls struct {
	mu      sync.Mutex
	workers map[string]*queue
	wg      sync.WaitGroup
	closed  bool
	skipped map[string]int
	logf    func(format string, args ...any)
	batcher func(plugin string) tier.HookBatcher
}

// queue is the calls waiting for one plugin's worker: a slice that grows
// as calls wait (a plugin that keeps up holds little), which the worker
// takes whole each time it wakes.
type queue struct {
	mu     sync.Mutex
	items  []observed
	closed bool
	wake   chan struct{} // one wake-up pending at most
}

func newAsyncCalls(logf func(format string, args ...any), batcher func(plugin string) tier.HookBatcher) *asyncCalls {
	return &asyncCalls{workers: map[string]*queue{}, skipped: map[string]int{}, logf: logf, batcher: batcher}
}

// deliver queues call for plugin's worker; a call that finds asyncQueue
// calls waiting is skipped, and counts in call.st.
func (a *asyncCalls) deliver(plugin string, call observed) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	q, ok := a.workers[plugin]
	if !ok {
		q = &queue{wake: make(chan struct{}, 1)}
		a.workers[plugin] = q
		a.wg.Add(1)
		go a.work(plugin, q)
	}
	q.mu.Lock()
	full := len(q.items) >= asyncQueue
	if !full {
		q.items = append(q.items, call)
	}
	q.mu.Unlock()
	if !full {
		select {
		case q.wake <- struct{}{}:
		default: // a wake-up is pending
		}
		return
	}
	call.st.Skip()
	a.skipped[plugin]++
	if n := a.skipped[plugin]; a.logf != nil && (n&(n-1)) == 0 { // 1, 2, 4, 8, ...
		a.logf("plugin %s: its observe-only handlers are %d calls behind; %d calls skipped so far", plugin, asyncQueue, n)
	}
}

// work runs plugin's queued calls until the queue is closed: each time it
// wakes, what is queued, in batches of up to batchMax calls.
func (a *asyncCalls) work(plugin string, q *queue) {
	defer a.wg.Done()
	asyncLoop.Enter()
	var spare []observed
	for range q.wake {
		q.mu.Lock()
		items, closed := q.items, q.closed
		q.items = spare
		q.mu.Unlock()
		for rest := items; len(rest) > 0; {
			n := min(len(rest), batchMax)
			a.run(plugin, rest[:n])
			rest = rest[n:]
		}
		clear(items) // let go of the commands and handlers
		spare = items[:0]
		if closed {
			return
		}
	}
}

// run makes the calls of batch: in one batch when plugin's tier takes
// them, one at a time otherwise. Every call counts in its handler's
// stats; a batched call's time is its batch's, and the batch runs under
// the labels of its first call's handler on asyncLoop.
func (a *asyncCalls) run(plugin string, batch []observed) {
	var b tier.HookBatcher
	if a.batcher != nil {
		b = a.batcher(plugin)
	}
	if b == nil {
		for i := range batch {
			batch[i].callAlone(plugin)
		}
		return
	}
	calls := make([]tier.HookCall, len(batch))
	failed := make([]any, len(batch))
	starts := make([]time.Duration, len(batch))
	for i := len(batch) - 1; i >= 0; i-- { // the first last: its labels stay on
		calls[i] = tier.HookCall{Hook: batch[i].hook, Args: batch[i].args()}
		if i == 0 {
			starts[i] = batch[i].st.BeginOn(asyncLoop)
		} else {
			starts[i] = batch[i].st.Begin()
		}
	}
	callBatch(b, calls, failed)
	for i := range batch {
		o := &batch[i]
		o.st.End(starts[i])
		if failed[i] != nil {
			o.report(plugin, failed[i])
		}
	}
	asyncLoop.Enter()
}

// callBatch hands calls to b; a panic of b's own fails every call.
func callBatch(b tier.HookBatcher, calls []tier.HookCall, failed []any) {
	defer func() {
		if r := recover(); r != nil {
			for i := range failed {
				failed[i] = r
			}
		}
	}()
	b.CallHooks(calls, failed)
}

// close stops the workers after the calls queued so far.
func (a *asyncCalls) close() {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		for _, q := range a.workers {
			q.mu.Lock()
			q.closed = true
			q.mu.Unlock()
			select {
			case q.wake <- struct{}{}:
			default: // a wake-up is pending: the worker sees closed then
			}
		}
	}
	a.mu.Unlock()
	a.wg.Wait()
}
