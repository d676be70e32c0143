package manager

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Default deadlines of calls into plugin code (see Options.Deadlines).
const (
	// DefaultDeadline bounds a lifecycle callback (Check, Load, Enable,
	// Initialize, OnPluginEnabled, a settings migration, an activator,
	// Disable, Unload, OnPluginPendingUninstall) and a call of CallEach.
	DefaultDeadline = 10 * time.Second
	// DefaultImportDeadline bounds the import of a plugin's code: a
	// source plugin's interpretation (its init functions included), a
	// process plugin's start.
	DefaultImportDeadline = 30 * time.Second
)

// ErrHung: a call into a plugin's code did not return within its deadline
// and was abandoned. The plugin is listed as hung, its code is not called
// again until an operator enables it, and its goroutine, which cannot be
// stopped, is left running (counted in the listing's leftover goroutines).
var ErrHung = errors.New("did not return in time")

// HungEvent tells a host (Options.OnHung) that a call into a plugin's code
// overran its deadline and was abandoned.
type HungEvent struct {
	Plugin   string
	Phase    Phase
	Deadline time.Duration
	// Evidence says what did not return, for the listing and a host's
	// quarantine of the plugin at its next start.
	Evidence string
}

// deadline returns the deadline of a call in phase; 0 for none.
func (m *Manager) deadline(phase Phase) time.Duration {
	if d, ok := m.opts.Deadlines[phase]; ok {
		return max(d, 0)
	}
	if phase == PhaseImport {
		return DefaultImportDeadline
	}
	return DefaultDeadline
}

// runBounded runs fn, plugin code of plugin id, on a goroutine of its own
// that carries labels, and waits for it for at most d (0: no deadline) or
// until done is closed. On time it returns fn's error (a recovered panic
// included); otherwise it leaves the goroutine running and returns
// ErrHung (overrun true) or ctx's error.
func (m *Manager) runBounded(labels context.Context, d time.Duration, done <-chan struct{}, fn func() error) (err error, overrun bool) {
	result := make(chan error, 1)
	m.inPluginCode.Add(1)
	go m.runPlugin(labels, fn, result)
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err := <-result:
		return err, false
	case <-timeout:
		return ErrHung, true
	case <-done:
		return errAbandoned, false
	}
}

// worker is the goroutine on which the operations' calls into plugin code
// run, one after another: made at the first call, kept between operations
// (a goroutine made per operation cost more than the rest of a toggle),
// ended by Shutdown, and replaced when a call overruns (the stuck one is
// abandoned and ends when the call returns, if ever).
type worker struct {
	calls  chan workerCall
	result chan error
}

type workerCall struct {
	labels context.Context
	c      *stepCall
}

// callInOp makes c's steps on the worker, within each plugin step's
// deadline (d is the shortest; 0 for none) and until the operation's context is done;
// see runBounded for the results. Only the running operation calls it.
func (m *Manager) callInOp(labels context.Context, c *stepCall, d time.Duration) (err error, overrun bool) {
	var done <-chan struct{}
	if m.opCtx != nil {
		done = m.opCtx.Done()
		if m.opCtx.Err() != nil {
			return errAbandoned, false // the host is stopping: no new call
		}
	}
	w := m.opWorker
	if w == nil {
		w = &worker{calls: make(chan workerCall), result: make(chan error, 1)}
		m.opWorker = w
		go m.runWorker(w)
	}
	m.inPluginCode.Add(1)
	w.calls <- workerCall{labels: labels, c: c}
	// The timer is set for the shortest deadline of the steps and, when it
	// fires, asks how long the step under way has left.
	var timeout <-chan time.Time
	if d > 0 {
		if m.opTimer == nil {
			m.opTimer = time.NewTimer(d)
		} else {
			m.opTimer.Reset(d)
		}
		defer m.opTimer.Stop()
		timeout = m.opTimer.C
	}
	for {
		select {
		case err := <-w.result:
			return err, false
		case <-timeout:
			if more := c.expired(); more > 0 {
				m.opTimer.Reset(more)
				continue
			}
			err, overrun = ErrHung, true
		case <-done:
			// The host is stopping: abandon the call once no host step
			// is under way (one ends soon).
			for !c.state.CompareAndSwap(callRunning, callAbandoned) {
				select {
				case err := <-w.result:
					return err, false
				case <-time.After(time.Millisecond):
				}
			}
			err = errAbandoned
		}
		break
	}
	// The worker is stuck in the plugin's code: leave it, and make a new
	// one for the operation's next call.
	close(w.calls)
	m.opWorker = nil
	return err, overrun
}

// endWorker ends the worker; only the running operation calls it: Shutdown,
// at its end.
func (m *Manager) endWorker() {
	if m.opWorker != nil {
		close(m.opWorker.calls)
		m.opWorker = nil
	}
}

// runWorker is an operation's worker goroutine: each call with the
// plugin's pprof labels, so that the goroutines it starts carry them, and
// guarded against panics. It is never inlined: reentrant looks for it on
// the stack.
//
//go:noinline
func (m *Manager) runWorker(w *worker) {
	for call := range w.calls {
		setLabels(call.labels)
		err := guard(call.c.run)
		setLabels(context.Background())
		m.inPluginCode.Add(-1)
		w.result <- err
	}
}

// errAbandoned: the operation's context ended while plugin code ran (the
// host is stopping): the call was left running.
var errAbandoned = errors.New("abandoned: the operation was cancelled while the plugin's code ran")

// runPlugin is the goroutine that runs a call into plugin code: with the
// plugin's pprof labels, so that the goroutines it starts carry them, and
// guarded against panics. It is never inlined: reentrant looks for it on
// the stack.
//
//go:noinline
func (m *Manager) runPlugin(labels context.Context, fn func() error, result chan<- error) {
	setLabels(labels)
	defer m.inPluginCode.Add(-1)
	result <- guard(fn)
}

// hung records that plugin r's call in phase overran its deadline d: the
// plugin is listed hung, a gate keeps it from running until an operator
// enables it, its code is not called again, and the host is told
// (Options.OnHung). It returns the call's error.
func (m *Manager) hung(r *record, phase Phase, d time.Duration) error {
	ev := HungEvent{Plugin: r.id, Phase: phase, Deadline: d,
		Evidence: fmt.Sprintf("its %s did not return within %s", phase, d)}
	m.mu.Lock()
	m.hungs[r.id] = ev
	r.gate.refuse(&r.gate.hung, false, "hung: "+ev.Evidence+"; enable it to try again")
	m.mu.Unlock()
	m.abandoned.Add(1)
	m.log.Error("plugin code did not return in time; it is abandoned, and the plugin is not called again until an operator enables it",
		"plugin", r.id, "phase", string(phase), "deadline", d)
	if m.opts.OnHung != nil {
		go m.opts.OnHung(ev)
	}
	return fmt.Errorf("%w: %s (its goroutine is left running)", ErrHung, ev.Evidence)
}

// hungEvidence reports why plugin id's code is not called: it hung, and
// no operator has enabled it since.
func (m *Manager) hungEvidence(id string) (string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ev, ok := m.hungs[id]
	return ev.Evidence, ok
}

// Abandoned counts the calls into plugin code that overran their deadlines
// and were left running.
func (m *Manager) Abandoned() int64 { return m.abandoned.Load() }
