package manager

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// in calls plugin code for phase, guarded against panics and traced, with
// the plugin's goroutine label set (see [GoroutineLabel]), within the
// phase's deadline.
func (m *Manager) in(r *record, phase Phase, fn func() error) error {
	return locate(m.call(r, r.cand.Bundled, m.isolated(r.originIndex), phase, fn), r.inst)
}

// call is in for code that is not (yet) the record's: bundled is its
// candidate's. Only the running operation calls it.
func (m *Manager) call(r *record, bundled, isolated bool, phase Phase, fn func() error) error {
	return m.callPlugin(r, bundled, isolated, !isolated, phase, fn)
}

// callPlugin is call, with the call bounded by its phase's deadline or
// not (a call its tier bounds itself, or that runs none of the plugin's
// code).
func (m *Manager) callPlugin(r *record, bundled, isolated, bounded bool, phase Phase, fn func() error) error {
	_, err := m.callSteps(r, bundled, isolated, bounded, step{phase: phase, fn: fn})
	return err
}

// inSteps makes r's steps, as in does each, in one call bounded by each
// step's deadline, so that they cost one handoff to the operation's worker;
// it returns the phase of the step that failed.
func (m *Manager) inSteps(r *record, steps ...step) (Phase, error) {
	isolated := m.isolated(r.originIndex)
	phase, err := m.callSteps(r, r.cand.Bundled, isolated, !isolated, steps...)
	return phase, locate(err, r.inst)
}

// step is one call into plugin code of a lifecycle phase or, with host
// set, the host's own work between two such calls (registering what the
// plugin returned, making what it is handed next). A host step has no
// deadline, and runs only while the call has not been abandoned: once a
// plugin step overran, no more of the host's work is done on the worker.
type step struct {
	phase Phase
	fn    func() error
	host  bool
}

// hostStep is a step of the host's own work for phase.
func hostStep(phase Phase, fn func() error) step { return step{phase: phase, fn: fn, host: true} }

// stepCall is one callSteps: its steps, run one after the other on the
// operation's worker (or inline), and what the operation, waiting on the
// steps, reads of their progress.
type stepCall struct {
	m        *Manager
	r        *record
	bundled  bool
	isolated bool
	steps    []step

	cur     atomic.Int32 // the step under way
	started atomic.Int64 // when it began, in Unix nanoseconds
	state   atomic.Int32 // callRunning, callInHost or callAbandoned
	failed  Phase        // the step that failed; read after run returned
	overdue int32        // the step that overran; read after an overrun
}

const (
	callRunning   = iota
	callInHost    // a host step is under way: the call is not abandoned now
	callAbandoned // a step overran: the worker does no more
)

// run makes the steps until one fails, each guarded against panics, the
// plugin's steps traced.
func (c *stepCall) run() error {
	trace := c.m.opts.Trace
	for i, s := range c.steps {
		c.cur.Store(int32(i))
		if i > 0 {
			c.started.Store(time.Now().UnixNano())
		}
		var err error
		if s.host {
			if !c.state.CompareAndSwap(callRunning, callInHost) {
				return errAbandoned
			}
			err = guard(s.fn)
			c.state.Store(callRunning)
		} else {
			if c.state.Load() == callAbandoned {
				return errAbandoned
			}
			if trace != nil {
				trace(TraceEvent{Plugin: c.r.id, Bundled: c.bundled, Isolated: c.isolated, Phase: s.phase})
			}
			err = guard(s.fn)
			if trace != nil {
				trace(TraceEvent{Plugin: c.r.id, Bundled: c.bundled, Isolated: c.isolated, Phase: s.phase, Done: true})
			}
		}
		if err != nil {
			c.failed = s.phase
			return err
		}
	}
	return nil
}

// deadline is the shortest deadline of the call's plugin steps, 0 for
// none: no step can overrun sooner.
func (c *stepCall) deadline() time.Duration {
	var d time.Duration
	for _, s := range c.steps {
		if s.host {
			continue
		}
		if sd := c.m.deadline(s.phase); sd > 0 && (d <= 0 || sd < d) {
			d = sd
		}
	}
	return d
}

// expired is asked, by the operation, when the call's timer fired: it
// returns how much longer to wait, or 0 when the step under way overran
// its deadline, which it has then abandoned (the worker does no more).
func (c *stepCall) expired() time.Duration {
	i := c.cur.Load()
	s := c.steps[i]
	if s.host || c.state.Load() == callInHost {
		return time.Millisecond // the host's own work: it ends soon
	}
	d := c.m.deadline(s.phase)
	if d <= 0 {
		return time.Hour // no deadline for this step: look again later
	}
	if more := d - time.Since(time.Unix(0, c.started.Load())); more > 0 {
		return more
	}
	if !c.state.CompareAndSwap(callRunning, callAbandoned) {
		return time.Millisecond // a host step began: the plugin's step returned
	}
	c.overdue = i
	return 0
}

// callSteps makes steps, plugin code and the host's work between, one
// after the other until one fails, with the plugin's goroutine label: on
// the operation's worker within each plugin step's deadline (one that
// overruns is left running, no more steps are made, and the plugin is
// taken as hung), or on this goroutine when the call is not bounded. It
// returns the phase of the step that failed or overran. It is never
// inlined: reentrant looks for it on the stack.
//
//go:noinline
func (m *Manager) callSteps(r *record, bundled, isolated, bounded bool, steps ...step) (Phase, error) {
	// A plugin whose code hung is not called again until an operator
	// enables it.
	if evidence, hung := m.hungEvidence(r.id); hung {
		return steps[0].phase, fmt.Errorf("%w: not called: %s earlier", ErrHung, evidence)
	}
	// The plugin's code runs with the plugin's label (and the operation's
	// own labels), so that goroutines it starts inherit it. Without
	// operation labels (the usual case) the labelled context is made once
	// per record.
	var labelled context.Context
	if m.opLabels == nil {
		if r.labels == nil {
			r.labels = PluginLabels(context.Background(), r.id)
		}
		labelled = r.labels
	} else {
		labelled = PluginLabels(m.opLabels, r.id)
	}
	c := &stepCall{m: m, r: r, bundled: bundled, isolated: isolated, steps: steps}
	var d time.Duration
	if bounded {
		d = c.deadline()
	}
	if !bounded || d <= 0 && (m.opCtx == nil || m.opCtx.Done() == nil) {
		// The tier bounds its calls itself (a plugin in a process of its
		// own, which it kills when a lifecycle call overruns), no plugin
		// code runs, or the host set no deadline for these phases and the
		// operation cannot be cancelled: on this goroutine, without the
		// handoff to the worker.
		err := m.inline(labelled, c)
		return c.failed, err
	}
	c.started.Store(time.Now().UnixNano())
	err, overrun := m.callInOp(labelled, c, d)
	if overrun {
		phase := steps[c.overdue].phase
		return phase, m.hung(r, phase, m.deadline(phase))
	}
	if errors.Is(err, errAbandoned) {
		// The host is stopping; the step under way may still run, and
		// failed with it.
		return steps[c.cur.Load()].phase, err
	}
	return c.failed, err
}

// inline makes c's steps on the calling goroutine with labels, as a call
// the tier bounds itself or that has no deadline.
func (m *Manager) inline(labels context.Context, c *stepCall) error {
	setLabels(labels)
	m.inPluginCode.Add(1)
	err := guard(c.run)
	m.inPluginCode.Add(-1)
	if m.opLabels != nil {
		setLabels(m.opLabels)
	} else {
		setLabels(context.Background())
	}
	return err
}
