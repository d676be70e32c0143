package process_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
)

// crashes are the ways the tool plugin's process ends on its own, outside
// any call: the helper to call, its argument, and what the listing shows.
var crashes = []struct {
	name     string
	helper   string
	arg      any
	exit     string // in ProcessStatus.Exit and the last crash
	lastLine string // in the last lines of output
}{
	{name: "os.Exit", helper: "exit", arg: 7, exit: "exit status 7", lastLine: "tool initializing"},
	{name: "panic in a goroutine", helper: "crash", arg: "boom outside a call", exit: "exit status 2", lastLine: "panic: boom outside a call"},
}

// crash makes enabled plugin tool's process end the way c says and waits
// for it to be gone. It returns the pid it had.
func (h *testHost) crash(helper string, arg any) int {
	h.t.Helper()
	pid := h.pid("tool")
	_, _ = h.call("tool", helper, arg) // the call itself may or may not answer
	waitGone(h.t, pid)
	return pid
}

// restarted waits for plugin id to run again, enabled, in a process other
// than old, and returns its pid.
func (h *testHost) restarted(id string, old int) int {
	h.t.Helper()
	var pid int
	h.waitFor(id+" restarted", func() bool {
		in := h.info(id)
		if in.Enabled && in.Process != nil && in.Process.PID != 0 && in.Process.PID != old {
			pid = in.Process.PID
			return true
		}
		return false
	})
	return pid
}

// after is a builtin plugin with a handler of test.slow that runs after the
// tool plugin's: it shows that the host carries on past a failed handler.
func after(calls *[]string) map[string]*tentacle.Definition {
	return map[string]*tentacle.Definition{"after": {
		Name: "After",
		Hooks: tentacle.Hooks{hookSlow: tentacle.Hook(func(s string) string {
			*calls = append(*calls, "after "+s)
			return s
		}, tentacle.DefaultOrder+1)},
	}}
}

// TestCrashListed: a plugin whose process ends on its own while enabled is
// listed as crashed, with its exit status and its last lines of output;
// its hook handlers are taken off the hot path until its restart (none is
// called, none counts as a fault), the other handlers still run.
func TestCrashListed(t *testing.T) {
	for _, c := range crashes {
		t.Run(c.name, func(t *testing.T) {
			var calls []string
			// A restart a minute away: the crash stays listed.
			h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, builtin: after(&calls), backoff: time.Hour})
			pid := h.crash(c.helper, c.arg)
			var in manager.Info
			// The process is listed crashed a moment before the manager has
			// counted the crash (it reads the process's last lines then).
			h.waitFor("crash listed and counted", func() bool {
				in = h.info("tool")
				return in.Process != nil && in.Process.Crashed && in.Faults > 0
			})
			st := in.Process
			if st.PID != 0 || !strings.Contains(st.Exit, c.exit) {
				t.Errorf("pid %d, exit %q; want no pid and %q", st.PID, st.Exit, c.exit)
			}
			if !strings.Contains(strings.Join(st.LastLines, "\n"), c.lastLine) {
				t.Errorf("last lines %q; want one with %q", st.LastLines, c.lastLine)
			}
			if !strings.Contains(st.LastCrash, c.exit) || st.Restarts != 0 {
				t.Errorf("last crash %q, restarts %d", st.LastCrash, st.Restarts)
			}
			if !in.Enabled || in.Faults != 1 || !strings.Contains(in.LastFault, "crash") {
				t.Errorf("enabled %v, faults %d (%s); want still enabled, the crash counted", in.Enabled, in.Faults, in.LastFault)
			}
			crashLog, ok := h.logs.find("plugin process crashed")
			if !ok || crashLog.Attrs["pid"] != int64(pid) || crashLog.Level != slog.LevelError {
				t.Errorf("crash log %+v", crashLog)
			}

			// Its handler is off the hot path; the host carries on.
			var out []string
			for range 3 {
				h.slow.Call(func(hd hooks.Handler[textHook]) { out = append(out, hd.Plugin+" "+hd.Fn("0s")) })
			}
			if want := "after 0s,after 0s,after 0s"; strings.Join(out, ",") != want {
				t.Errorf("hook results %q; want only after's, three times", out)
			}
			if in = h.info("tool"); in.Faults != 1 {
				t.Errorf("faults %d, last %q; want only the crash counted", in.Faults, in.LastFault)
			}
		})
	}
}

// TestCrashRestarted: a crashed plugin is restarted after the backoff, in a
// new process, enabled again, and works.
func TestCrashRestarted(t *testing.T) {
	for _, c := range crashes {
		t.Run(c.name, func(t *testing.T) {
			h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}})
			old := h.crash(c.helper, c.arg)
			pid := h.restarted("tool", old)
			in := h.info("tool")
			if in.Process.Restarts != 1 || in.Process.Crashed || !strings.Contains(in.Process.LastCrash, c.exit) {
				t.Errorf("process %+v; want 1 restart, running, the last crash kept", in.Process)
			}
			if got, err := h.call("tool", "pid"); err != nil || got != strconv.Itoa(pid) {
				t.Errorf("pid helper = %s, %v; want %d", got, err, pid)
			}
			var out string
			h.slow.Call(func(hd hooks.Handler[textHook]) { out = hd.Fn("0s") })
			if out != "slept 0s" {
				t.Errorf("hook after the restart: %q", out)
			}
		})
	}
}

// TestCrashTooOften: a plugin that crashes more often than the restart
// policy allows is left down, with a crash error, until an operator
// enables it; then it runs again, with a clean slate.
func TestCrashTooOften(t *testing.T) {
	const restarts = 2
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, restarts: restarts})
	for i := 0; i <= restarts; i++ {
		old := h.crash("exit", 9)
		if i < restarts {
			h.restarted("tool", old)
		}
	}
	h.waitFor("tool left down", func() bool { return errors.Is(h.m.Err("tool"), manager.ErrCrashed) })
	in := h.info("tool")
	if in.State != manager.StateUnloaded.String() || in.Enabled || in.Error == nil || in.Error.Phase != manager.PhaseCrash || !strings.Contains(in.Error.Message, "crashed too often") {
		t.Errorf("enabled %v, error %+v; want a crash error", in.Enabled, in.Error)
	}
	if in.Process == nil || in.Process.Restarts != restarts || in.Process.PID != 0 || !strings.Contains(in.Process.LastCrash, "exit status 9") {
		t.Errorf("process %+v; want %d restarts, none running", in.Process, restarts)
	}
	if hs := h.m.PluginManager().Helpers("tool"); hs != nil {
		t.Errorf("helpers of a plugin left down: %v", hs)
	}

	if _, err := h.m.Enable(context.Background(), "tool"); err != nil {
		t.Fatalf("enable: %v", err)
	}
	pid := h.pid("tool")
	if got, err := h.call("tool", "pid"); err != nil || got != strconv.Itoa(pid) {
		t.Errorf("pid helper = %s, %v; want %d", got, err, pid)
	}
	// The crash history starts over: the next crash is restarted.
	old := h.crash("exit", 9)
	h.restarted("tool", old)
}
