package comm

import (
	"sync"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// hooksHandler is a handler of a typed hook.
type hooksHandler[F any] = hooks.Handler[F]

// callTemps calls one temperatures handler; a panic leaves temps as they
// were.
func callTemps(h *hooks.Hook[server.TemperaturesHook], e hooks.Handler[server.TemperaturesHook], temps map[string]server.Temperature) (out map[string]server.Temperature) {
	defer func() {
		if r := recover(); r != nil {
			commLoop.Enter()
			h.Report(e.Plugin, r)
			out = temps
		}
	}()
	t := e.Stats.BeginOn(commLoop)
	out = e.Fn(temps)
	e.Stats.EndOn(commLoop, t)
	return out
}

// asyncQueue is how many calls may wait for one plugin's observe-only
// handlers; a call that finds the queue full is skipped and logged.
const asyncQueue = 4096

// asyncCalls calls observe-only handlers of plugins in processes of their
// own off the send path: per plugin, in order, on a goroutine of its own.
type asyncCalls struct {
	mu      sync.Mutex
	workers map[string]chan func()
	wg      sync.WaitGroup
	closed  bool
	skipped map[string]int
	logf    func(format string, args ...any)
}

func newAsyncCalls(logf func(format string, args ...any)) *asyncCalls {
	return &asyncCalls{workers: map[string]chan func(){}, skipped: map[string]int{}, logf: logf}
}

// deliver queues call for plugin's worker. report gets a panic of the
// call; a call skipped because the queue is full counts in st.
func (a *asyncCalls) deliver(plugin string, st *hooks.Stats, call func(), report func(string, any)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	ch, ok := a.workers[plugin]
	if !ok {
		ch = make(chan func(), asyncQueue)
		a.workers[plugin] = ch
		a.wg.Add(1)
		go a.work(plugin, ch, report)
	}
	select {
	case ch <- call:
	default:
		st.Skip()
		a.skipped[plugin]++
		if n := a.skipped[plugin]; a.logf != nil && (n&(n-1)) == 0 { // 1, 2, 4, 8, ...
			a.logf("plugin %s: its observe-only handlers are %d calls behind; %d calls skipped so far", plugin, asyncQueue, n)
		}
	}
}

func (a *asyncCalls) work(plugin string, ch chan func(), report func(string, any)) {
	defer a.wg.Done()
	asyncLoop.Enter()
	for call := range ch {
		func() {
			defer func() {
				if r := recover(); r != nil {
					asyncLoop.Enter()
					report(plugin, r)
				}
			}()
			call()
		}()
	}
}

// close stops the workers after the calls queued so far.
func (a *asyncCalls) close() {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		for _, ch := range a.workers {
			close(ch)
		}
	}
	a.mu.Unlock()
	a.wg.Wait()
}
