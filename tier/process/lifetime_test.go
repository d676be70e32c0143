package process_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier/process"
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

// shortDir returns a new folder with a short path, removed when the test
// ends: t.TempDir's are named after the test, too long for some tests of
// unix socket paths.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tnt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// useTempDir makes tmp the temporary folder (TMPDIR) of the test, of the
// hosts it starts and of their plugin processes, once the test plugins are
// built and the test's own t.TempDir is made (elsewhere, where they stay).
func useTempDir(t *testing.T, tmp string) {
	t.Helper()
	bin(t, "tool")
	t.TempDir()
	t.Setenv("TMPDIR", tmp)
}

// contents lists what is in dir, all the way down, as paths relative to
// it, folders ending with a slash; nil when dir does not exist.
func contents(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestSocketFolders: a plugin process's unix sockets (the direct calls
// both ways; in the earlier protocol go-plugin's too, on both sides) are
// in a folder of the process's own, in the host's folder (tentacle-run-*)
// in Options.SocketDir, both private to the user; nothing goes in the
// temporary folder. (The lean protocol's start socket is gone once the
// plugin connected.) The host's folder is removed once its last process
// has stopped, SocketDir too when left empty. Making the origin removes
// folders of hosts that no longer run and nothing else; a folder in use by
// another host stays.
func TestSocketFolders(t *testing.T) {
	for _, tc := range []struct {
		name, plugin string
		sockets      int
	}{{"lean", "tool", 2}, {"earlier protocol", legacy("tool"), 4}} {
		t.Run(tc.name, func(t *testing.T) { testSocketFolders(t, tc.plugin, tc.sockets) })
	}
}

func testSocketFolders(t *testing.T, plugin string, sockets int) {
	tmp, socketDir := shortDir(t), filepath.Join(shortDir(t), "run")
	useTempDir(t, tmp)
	writeFile(t, filepath.Join(socketDir, "tentacle-run-0badf00d", "plugin-dir1", "plugin2"), "left by a host that was killed")
	writeFile(t, filepath.Join(socketDir, "keep.txt"), "not the tier's")
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": plugin}, proc: process.Options{SocketDir: socketDir}})
	pid := h.pid("tool")
	if out := callHook(h.slow, "0s"); len(out) != 1 || out[0] != "tool slept 0s" || h.info("tool").Process.Details["direct_calls"] != true {
		t.Fatalf("the plugin answers %q, direct calls %v", out, h.info("tool").Process.Details)
	}
	got := contents(t, socketDir)
	var runs, procs, socks []string
	for _, p := range got {
		switch parts := strings.Split(strings.TrimSuffix(p, "/"), "/"); len(parts) {
		case 1:
			if p != "keep.txt" {
				runs = append(runs, p)
			}
		case 2:
			procs = append(procs, p)
		case 3:
			socks = append(socks, parts[2])
		}
	}
	if len(runs) != 1 || !strings.HasPrefix(runs[0], "tentacle-run-") || runs[0] == "tentacle-run-0badf00d/" ||
		len(procs) != 1 || !slices.Contains(socks, "calls") || !slices.Contains(socks, "host") || len(socks) != sockets {
		t.Fatalf("socket folder while the plugin runs: %q; want the host's folder with the process's, holding calls and host (and go-plugin's two sockets), the stale folder gone", got)
	}
	for _, dir := range []string{runs[0], procs[0]} {
		if fi, err := os.Stat(filepath.Join(socketDir, dir)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want mode 0700", dir, fi.Mode().Perm(), err)
		}
	}
	// Another host on the same socket folder leaves this one's alone.
	process.New(t.TempDir(), process.Options{SocketDir: socketDir})
	if !exists(filepath.Join(socketDir, runs[0])) {
		t.Fatal("another host removed the socket folder of a running one")
	}
	if out := callHook(h.slow, "0s"); len(out) != 1 {
		t.Errorf("the plugin no longer answers after another host started: %q", out)
	}
	if got := contents(t, tmp); len(got) != 0 {
		t.Errorf("in the temporary folder while the plugin runs: %q", got)
	}
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if got := contents(t, socketDir); !slices.Equal(got, []string{"keep.txt"}) {
		t.Errorf("socket folder after the stop: %q, want only what is not the tier's", got)
	}
	if got := contents(t, tmp); len(got) != 0 {
		t.Errorf("in the temporary folder after the stop: %q", got)
	}
}

// TestHostLeavesNoSockets: a host that stops leaves nothing in the
// temporary folder; one that is killed (SIGKILL, with its plugin processes)
// leaves only what the next host to start removes.
func TestHostLeavesNoSockets(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no signals")
	}
	for _, kill := range []bool{true, false} {
		t.Run(map[bool]string{true: "SIGKILL", false: "normal stop"}[kill], func(t *testing.T) {
			checkLeaks(t)
			pkgs := filepath.Join(t.TempDir(), "packages")
			install(t, pkgs, "hello", "hello")
			install(t, pkgs, "tool", "tool")
			tmp := shortDir(t)
			useTempDir(t, tmp)
			host, pids := startHelperHost(t, pkgs, 2)
			if kill {
				_ = host.cmd.Process.Kill()
			} else {
				host.closeStdin()
			}
			<-host.done
			for _, pid := range pids {
				waitGone(t, pid)
			}
			left := contents(t, tmp)
			if !kill {
				if len(left) != 0 {
					t.Fatalf("in the temporary folder after a normal stop: %q", left)
				}
				return
			}
			if len(left) == 0 {
				t.Fatal("the killed host left no sockets: the test tests nothing")
			}
			h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}})
			pid := h.pid("tool")
			var top []string
			for _, p := range contents(t, tmp) {
				if !strings.Contains(strings.TrimSuffix(p, "/"), "/") {
					top = append(top, p)
				}
			}
			if len(top) != 1 || !strings.HasPrefix(top[0], "tentacle-run-") || slices.Contains(left, top[0]) {
				t.Errorf("in the temporary folder while the next host runs: %q; want its own folder alone (the killed host left %q)", top, left)
			}
			if err := h.m.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			waitGone(t, pid)
			if got := contents(t, tmp); len(got) != 0 {
				t.Errorf("in the temporary folder after the next host stopped: %q", got)
			}
		})
	}
}

// TestSocketDirTooDeep: a socket folder too deep for unix socket paths
// gives way to the temporary folder: the plugin runs with its direct calls
// and leaves nothing behind.
func TestSocketDirTooDeep(t *testing.T) {
	tmp := shortDir(t)
	deep := filepath.Join(shortDir(t), strings.Repeat("d", 40), strings.Repeat("e", 40))
	useTempDir(t, tmp)
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, proc: process.Options{SocketDir: deep}})
	pid := h.pid("tool")
	if out := callHook(h.slow, "0s"); len(out) != 1 || out[0] != "tool slept 0s" || h.info("tool").Process.Details["direct_calls"] != true {
		t.Fatalf("the plugin answers %q, direct calls %v", out, h.info("tool").Process.Details)
	}
	if got := contents(t, tmp); len(got) == 0 || !strings.HasPrefix(got[0], "tentacle-run-") {
		t.Errorf("in the temporary folder: %q, want the host's folder", got)
	}
	if exists(deep) {
		t.Errorf("%s was made", deep)
	}
	if err := h.m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if got := contents(t, tmp); len(got) != 0 {
		t.Errorf("in the temporary folder after the stop: %q", got)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
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
