package manager

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tentacle-go/tentacle/tier"
)

// PhaseCrash is the phase of a plugin whose code stopped on its own.
const PhaseCrash Phase = "crash"

// ErrCrashed: the plugin's code crashed more often than the restart policy
// allows; it stays down until an operator enables it again.
var ErrCrashed = errors.New("crashed too often")

func (m *Manager) restartPolicy() (max int, window, backoff time.Duration) {
	max, window, backoff = m.opts.Restarts, m.opts.RestartWindow, m.opts.RestartBackoff
	if max <= 0 {
		max = 5
	}
	if window <= 0 {
		window = 10 * time.Minute
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	return max, window, backoff
}

// crashed records that plugin id's code stopped on its own (a process that
// exited or crashed), takes its hook handlers and mixin implementations
// off the host's paths (a call of them could only fail, and a hot path
// would log a fault on every one), and schedules a restart with
// exponential backoff, which registers them again, or, past the policy's
// limit, takes it down until an operator enables it.
func (m *Manager) crashed(id string, cause error) {
	r := m.get(id)
	if r == nil {
		return
	}
	max, window, backoff := m.restartPolicy()
	now := time.Now()
	m.mu.Lock()
	recent := r.crash.recent[:0]
	for _, t := range r.crash.recent {
		if now.Sub(t) < window {
			recent = append(recent, t)
		}
	}
	r.crash.recent = append(recent, now)
	r.crash.last = cause.Error()
	pr, _ := r.inst.(tier.ProcessReporter)
	n := len(r.crash.recent)
	mixins := r.mixins
	m.mu.Unlock()
	m.generation.Add(1)
	m.hooks.RemovePlugin(id)
	m.impls.remove(id, mixins)
	if pr != nil {
		// Kept past the restart, whose new process has output of its own.
		lines := pr.ProcessStatus().LastLines
		m.mu.Lock()
		r.crash.lastLines = lines
		m.mu.Unlock()
	}
	m.fault(id, PhaseCrash, "process", cause)
	// The restart (or the giving up) is scheduled even before Start has
	// completed: it waits for the running operation, so a plugin that
	// crashes while the host starts is restarted once it has started.
	// restartCrashed and giveUp do nothing in a manager that is not started
	// (a tool that only loads plugins) or no longer runs the crashed code.
	if n > max {
		go m.giveUp(id, fmt.Errorf("%w: %d times in %s; enable it to try again (last: %v)", ErrCrashed, n, window, cause))
		return
	}
	delay := backoff << (n - 1)
	if delay > time.Minute || delay <= 0 {
		delay = time.Minute
	}
	m.log.Warn("plugin crashed; restarting it", "plugin", id, "in", delay, "crashes", n, "error", cause)
	timer := time.AfterFunc(delay, func() { m.restartCrashed(id) })
	m.mu.Lock()
	m.timers = append(m.timers, timer)
	m.mu.Unlock()
}

// crashedNow reports whether r's loaded code is down.
func crashedNow(r *record) bool {
	pr, ok := r.inst.(tier.ProcessReporter)
	return ok && pr.ProcessStatus().Crashed
}

// restartCrashed replaces the crashed code of a plugin with a fresh
// instance, enabled again if it was enabled: its whole lifecycle runs again
// (load, enable, the host's activators, so startup callbacks too).
// It does nothing unless the manager has started and the plugin's loaded
// code is still the crashed one.
func (m *Manager) restartCrashed(id string) {
	ctx := context.Background()
	_ = m.run(ctx, func() error {
		r := m.get(id)
		if r == nil || !m.Started() || !r.loaded() || !crashedNow(r) {
			return nil
		}
		wasEnabled := r.state == StateEnabled
		if wasEnabled {
			_ = m.disable(ctx, r) // its calls fail: the code is gone
		}
		_ = m.unload(ctx, r)
		m.mu.Lock()
		r.crash.restarts++
		m.mu.Unlock()
		if err := m.load(ctx, r); err != nil {
			return err
		}
		if wasEnabled {
			if err := m.enable(ctx, r); err != nil {
				return err
			}
		}
		m.log.Info("plugin restarted after a crash", "plugin", id)
		return nil
	})
}

// giveUp takes a plugin that crashes too often down: disabled, unloaded,
// with the error listed, until an operator enables it. Like restartCrashed,
// it does nothing unless the manager has started and the plugin's loaded
// code is still the crashed one.
func (m *Manager) giveUp(id string, cause error) {
	ctx := context.Background()
	_ = m.run(ctx, func() error {
		r := m.get(id)
		if r == nil || !m.Started() || !r.loaded() || !crashedNow(r) {
			return nil
		}
		if r.state == StateEnabled {
			_ = m.disable(ctx, r)
		}
		_ = m.unload(ctx, r)
		le := &LifecycleError{Plugin: id, Phase: PhaseCrash, Err: cause}
		m.mu.Lock()
		r.crash.gaveUp = true
		r.lastErr = le
		m.mu.Unlock()
		m.log.Error("plugin crashed too often; left down", "plugin", id, "error", cause)
		return nil
	})
}

// stopTimers stops pending restarts (the manager shuts down).
func (m *Manager) stopTimers() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.timers {
		t.Stop()
	}
	m.timers = nil
}

// ProcessInfo is the listing's view of a plugin that runs as a process.
type ProcessInfo struct {
	tier.ProcessStatus
	// Restarts counts restarts after crashes.
	Restarts int `json:"restarts"`
	// LastCrash describes the latest crash.
	LastCrash string `json:"last_crash,omitempty"`
	// LastCrashLines are the last lines the crashed process wrote.
	LastCrashLines []string `json:"last_crash_lines,omitempty"`
}
