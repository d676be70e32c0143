//go:build unix

// Unix-only: these run the tentacle command as e2e_test.go does (a process
// group, signals).

package serve_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tentacle-go/tentacle/internal/proctest"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
)

// serveCommand runs the tentacle command bin on base directory dir until
// it serves, and returns it with a client that has its API key; the
// server's output is logged when the test fails.
func serveCommand(t *testing.T, bin, dir string) (*process, *harness) {
	t.Helper()
	p := runServer(t, bin, dir, freePort(t))
	p.waitServing()
	key, _ := dig(readConfig(t, dir), "api.key")
	h := &harness{t: t, url: p.url, key: key.(string), client: &http.Client{Transport: &http.Transport{}, Timeout: deadline}}
	t.Cleanup(func() {
		h.client.CloseIdleConnections()
		if t.Failed() {
			t.Logf("server output:\n%s", p.stderr)
		}
	})
	return p, h
}

// TestPackagesEndToEnd runs the tentacle command with a plugin installed
// by hand into <basedir>/packages while it runs: found and enabled without
// a restart, listed with its process by the command line, restarted after
// a crash, reloaded when replaced, stopped when removed.
func TestPackagesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command and a plugin executable")
	}
	defer http.DefaultClient.CloseIdleConnections()
	bin := buildHost(t)
	v1, v2 := buildPackaged(t, "1.0.0"), buildPackaged(t, "2.0.0")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), "plugins:\n  _autoEnable: true\n")
	p, h := serveCommand(t, bin, dir)
	command := func(cmd string) map[string]any {
		resp := h.do("POST", "/api/plugin/packaged", h.key, map[string]any{"command": cmd})
		var out map[string]any
		if resp.status != http.StatusOK || json.Unmarshal(resp.body, &out) != nil {
			return nil
		}
		return out
	}
	info := func() manager.Info {
		var in manager.Info
		if err := json.Unmarshal([]byte(cli(t, bin, dir, "plugins", "info", "packaged", "--json")), &in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	listLine := func() string {
		for _, line := range strings.Split(cli(t, bin, dir, "plugins", "list"), "\n") {
			if strings.HasPrefix(line, "packaged ") {
				return line
			}
		}
		return ""
	}

	// Installed while the server runs: found, enabled, answering.
	installByHand(t, dir, v1, "1.0.0")
	eventually(t, "the installed plugin to answer", func() bool { return command("version")["version"] == "1.0.0" })
	in := info()
	if in.Tier != "process" || in.Process == nil || in.Process.PID == 0 || in.Process.Restarts != 0 {
		t.Fatalf("plugins info: tier %q, process %+v; want a running process", in.Tier, in.Process)
	}
	pid := in.Process.PID
	if got := command("pid")["pid"]; got != float64(pid) {
		t.Errorf("the plugin runs as %v, the listing says %d", got, pid)
	}
	if line := listLine(); !strings.Contains(line, "process") || !strings.Contains(line, "pid=") {
		t.Errorf("plugins list shows %q; want its tier and pid", line)
	}
	// Its numbers arrive as in the other tiers (TestSimpleAPINumbers).
	apiCase{method: "POST", path: "/api/plugin/packaged", key: "good", body: typesBody, wantStatus: 200, wantBody: typesWant}.run(t, h)

	// A crash: marked, restarted with a new process, listed with the crash.
	command("crash")
	eventually(t, "the crashed plugin restarted", func() bool {
		in := info()
		return in.Enabled && in.Process != nil && in.Process.PID != 0 && in.Process.PID != pid && in.Process.Restarts == 1
	})
	in = info()
	if !strings.Contains(in.Process.LastCrash, "exit status 3") {
		t.Errorf("last crash %q; want the exit status", in.Process.LastCrash)
	}
	if line := listLine(); !strings.Contains(line, "restarts=1") || !strings.Contains(line, "last crash: ") {
		t.Errorf("plugins list shows %q; want the restart and the last crash", line)
	}
	if out := cli(t, bin, dir, "plugins", "info", "packaged"); !strings.Contains(out, "1 restarts") ||
		!strings.Contains(out, "packaged crashes on request") {
		t.Errorf("plugins info does not show the restart and the crash's last output:\n%s", out)
	}
	if command("version")["version"] != "1.0.0" {
		t.Error("the restarted plugin does not answer")
	}

	// Replaced: reloaded with the new executable.
	pid = in.Process.PID
	installByHand(t, dir, v2, "2.0.0")
	eventually(t, "the replaced plugin reloaded", func() bool { return command("version")["version"] == "2.0.0" })
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		eventually(t, "the old process to end", func() bool { return proctest.Gone(pid) })
	}
	pid = info().Process.PID

	// Removed: unloaded, its process stopped.
	if err := os.RemoveAll(filepath.Join(dir, "packages", "packaged")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed plugin gone", func() bool { return listLine() == "" })
	eventually(t, "its process to end", func() bool { return proctest.Gone(pid) })
	p.stop(syscall.SIGTERM)
}

// names lists the names in dir; nil when it does not exist.
func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

// TestPackagesEndToEndSockets: the server's plugin processes keep their
// unix sockets in <basedir>/.run, none in the temporary folder; a server
// killed with SIGKILL leaves them there, and its next start removes them;
// a stop leaves nothing in either.
func TestPackagesEndToEndSockets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command and a plugin executable")
	}
	bin := buildHost(t)
	exe := buildPackaged(t, "1.0.0")
	short := func() string { // t.TempDir's paths are too long for sockets
		dir, err := os.MkdirTemp("", "tsk")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		return dir
	}
	dir, tmp := short(), short()
	installByHand(t, dir, exe, "1.0.0")
	t.Setenv("TMPDIR", tmp) // the server's and its plugins'
	run := filepath.Join(dir, serve.SocketDir)
	start := func() (*process, *harness, float64) {
		p := runServer(t, bin, dir, freePort(t))
		p.waitServing()
		key, _ := dig(readConfig(t, dir), "api.key")
		h := &harness{t: t, url: p.url, key: key.(string), client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: deadline}}
		var pid float64
		var last response
		defer func() {
			if t.Failed() {
				t.Logf("last answer: %d %s\nserver output:\n%s", last.status, last.body, p.stderr)
			}
		}()
		eventually(t, "the plugin to answer", func() bool {
			var out map[string]any
			last = h.do("POST", "/api/plugin/packaged", h.key, map[string]any{"command": "pid"})
			if last.status == http.StatusOK && json.Unmarshal(last.body, &out) == nil {
				pid, _ = out["pid"].(float64)
			}
			return pid > 0
		})
		return p, h, pid
	}

	p, _, pid := start()
	first := names(t, run)
	if len(first) != 1 || !strings.HasPrefix(first[0], "tentacle-run-") {
		t.Fatalf("%s while the server runs: %q, want its folder", run, first)
	}
	if got := names(t, tmp); len(got) != 0 {
		t.Errorf("in the temporary folder while the server runs: %q", got)
	}
	// Killed once the start is complete: a start cut short would make the
	// next one run in safe mode, without the plugin.
	eventually(t, "the start complete", func() bool { return strings.Contains(p.stderr.String(), "startup complete") })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.wait()
	eventually(t, "the plugin process to end with the server", func() bool { return proctest.Gone(int(pid)) })

	p, _, _ = start()
	if got := names(t, run); len(got) != 1 || got[0] == first[0] {
		t.Errorf("%s at the next start: %q, want its own folder alone (the killed server's was %s)", run, got, first[0])
	}
	p.stop(syscall.SIGTERM)
	if exists(run) {
		t.Errorf("%s left after the stop: %q", run, names(t, run))
	}
	if got := names(t, tmp); len(got) != 0 {
		t.Errorf("in the temporary folder after the stop: %q", got)
	}
}
