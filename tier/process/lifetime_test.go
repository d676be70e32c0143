package process_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/manager"
)

// checkLeaks checks, once the test and its other cleanups are done, that it
// left no goroutine running.
func checkLeaks(t *testing.T) {
	t.Helper()
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) })
}

// TestPluginDiesWithHost: a host's plugin processes never outlive it,
// however it ends: killed (SIGKILL leaves it no chance to stop them), ended
// by a signal it does not handle, or stopping normally.
func TestPluginDiesWithHost(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no signals")
	}
	cases := []struct {
		name string
		end  func(host *os.Process, stdin func())
	}{
		{"SIGKILL", func(host *os.Process, _ func()) { _ = host.Signal(syscall.SIGKILL) }},
		{"SIGTERM, not handled", func(host *os.Process, _ func()) { _ = host.Signal(syscall.SIGTERM) }},
		{"normal stop", func(_ *os.Process, closeStdin func()) { closeStdin() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			pkgs := filepath.Join(t.TempDir(), "packages")
			install(t, pkgs, "hello", "hello")
			install(t, pkgs, "tool", "tool")
			host, pids := startHelperHost(t, pkgs, 2)
			for _, pid := range pids {
				if !alive(pid) {
					t.Fatalf("plugin process %d is not running", pid)
				}
			}
			tc.end(host.cmd.Process, host.closeStdin)
			for _, pid := range pids {
				waitGone(t, pid)
			}
			if left := running(t, pkgs); len(left) > 0 {
				t.Errorf("plugin processes outlived their host: %v", left)
			}
		})
	}
}

// TestProcessStops: what unloads a process plugin stops its process, an
// operator's disable too (nothing of a disabled plugin keeps running);
// Shutdown leaves none.
func TestProcessStops(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		do   func(h *testHost) error
		// after checks the host once the process is gone.
		after func(h *testHost)
	}{
		{
			name: "uninstall",
			do:   func(h *testHost) error { _, err := h.m.Uninstall(ctx, "tool"); return err },
			after: func(h *testHost) {
				if _, ok := h.m.Info("tool"); ok {
					h.t.Error("tool still listed")
				}
			},
		},
		{
			name: "disable",
			do:   func(h *testHost) error { _, err := h.m.Disable(ctx, "tool"); return err },
			after: func(h *testHost) {
				in := h.info("tool")
				if in.Enabled || in.State != manager.StateFound.String() || !in.ForcedDisabled || (in.Process != nil && in.Process.PID != 0) {
					h.t.Errorf("after the disable: enabled %v, state %s, forced disabled %v, process %+v; want listed as disabled, no process",
						in.Enabled, in.State, in.ForcedDisabled, in.Process)
				}
				if out := callHook(h.slow, "0s"); len(out) != 0 {
					h.t.Errorf("a disabled plugin's handler ran: %q", out)
				}
				// Enabled again: a new process, which answers.
				if _, err := h.m.Enable(ctx, "tool"); err != nil {
					h.t.Fatal(err)
				}
				if out := callHook(h.slow, "0s"); len(out) != 1 || out[0] != "tool slept 0s" {
					h.t.Errorf("after the enable: %q", out)
				}
			},
		},
		{
			name: "disable, then uninstall",
			do: func(h *testHost) error {
				if _, err := h.m.Disable(ctx, "tool"); err != nil {
					return err
				}
				if out := callHook(h.slow, "0s"); len(out) != 0 {
					h.t.Errorf("a disabled plugin's handler ran: %q", out)
				}
				if hs := h.m.PluginManager().Helpers("tool"); hs != nil {
					h.t.Errorf("a disabled plugin's helpers: %v", hs)
				}
				_, err := h.m.Uninstall(ctx, "tool")
				return err
			},
		},
		{
			name: "reload",
			do:   func(h *testHost) error { _, err := h.m.Reload(ctx, "tool"); return err },
			after: func(h *testHost) {
				if out := callHook(h.slow, "0s"); len(out) != 1 || out[0] != "tool slept 0s" {
					h.t.Errorf("after the reload: %q", out)
				}
			},
		},
		{
			name: "shutdown",
			do:   func(h *testHost) error { return h.m.Shutdown(ctx) },
			after: func(h *testHost) {
				if left := running(h.t, h.pkgs); len(left) > 0 {
					h.t.Errorf("processes left after shutdown: %v", left)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool", "hello": "hello"}})
			pid := h.pid("tool")
			if err := tc.do(h); err != nil {
				t.Fatal(err)
			}
			waitGone(t, pid)
			if tc.after != nil {
				tc.after(h)
			}
		})
	}
}

// TestDirectCallsFolderRemoved: the folders of the direct-call sockets, the
// plugin's and the host's (each under its process's temporary folder,
// private to the user), are there while the plugin runs and gone once it
// has stopped.
func TestDirectCallsFolderRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the host's, and inherited by the plugin
	sockets := func() []string {
		var all []string
		for _, pattern := range []string{"tentacle-plugin-*", "tentacle-host-*"} {
			m, err := filepath.Glob(filepath.Join(tmp, pattern))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, m...)
		}
		return all
	}
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}})
	pid := h.pid("tool")
	if got := sockets(); len(got) != 2 || h.info("tool").Process.Details["direct_calls"] != true {
		t.Fatalf("while it runs: folders %q, direct calls %v; want the plugin's and the host's", got, h.info("tool").Process.Details)
	}
	for _, dir := range sockets() {
		if fi, err := os.Stat(dir); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", dir, fi.Mode().Perm())
		}
	}
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if got := sockets(); len(got) != 0 {
		t.Errorf("left after the plugin stopped: %q", got)
	}
}

// TestListingBeforeStart: a tool that loads the plugins to list them (the
// offline command line) starts their processes for a moment; the listing
// shows none of them, since they are the tool's own and Start would run
// others. Once started, the listing shows the process.
func TestListingBeforeStart(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, noStart: true})
	if err := h.m.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if in := h.info("tool"); !in.Loaded || in.Process != nil {
		t.Errorf("before Start: loaded %v, process %+v; want loaded, no process listed", in.Loaded, in.Process)
	}
	if err := h.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if in := h.info("tool"); in.Process == nil || in.Process.PID == 0 {
		t.Errorf("after Start: process %+v", in.Process)
	}
}
