//go:build unix

// The end-to-end tests run the tentacle command in a process group of its
// own, stop it with SIGTERM or SIGINT, kill the group and check that none
// of it is left: unix-only (Windows has no process groups to signal).

package serve_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
)

// buildHost builds server/testdata/e2ehost (the tentacle command with demo
// and crasher installed) and returns the executable.
func buildHost(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(t.TempDir(), "tentacle")
	cmd := exec.Command("go", "build", "-o", bin, "./internal/serve/testdata/e2ehost")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// process is a running `tentacle serve`.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error // Wait's result
	url    string
}

// runServer starts `tentacle --basedir dir serve --port port` in a process
// group of its own.
func runServer(t *testing.T, bin, dir string, port int) *process {
	t.Helper()
	p := &process{t: t, stderr: &syncBuffer{}, done: make(chan error, 1), url: "http://127.0.0.1:" + strconv.Itoa(port)}
	p.cmd = exec.Command(bin, "--basedir", dir, "serve", "--port", strconv.Itoa(port))
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		// Whatever happened, leave nothing running.
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case err := <-p.done:
			p.done <- err
		case <-time.After(deadline):
			t.Errorf("process %d did not end", p.cmd.Process.Pid)
		}
	})
	return p
}

// waitServing polls GET /api/version until it answers.
func (p *process) waitServing() {
	p.t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	end := time.Now().Add(deadline)
	for {
		resp, err := client.Get(p.url + "/api/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			p.t.Fatalf("the server exited before serving: %v\n%s", err, p.stderr)
		default:
		}
		if time.Now().After(end) {
			p.t.Fatalf("the server did not answer before the deadline:\n%s", p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait waits for the process to end and returns Wait's error.
func (p *process) wait() error {
	p.t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(deadline):
		p.t.Fatalf("the server did not exit before the deadline:\n%s", p.stderr)
		return nil
	}
}

// stop sends sig (SIGTERM or SIGINT) and expects a clean exit, with
// nothing of the process group left.
func (p *process) stop(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	if err := p.wait(); err != nil {
		p.t.Fatalf("exit after %v: %v\n%s", sig, err, p.stderr)
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		p.t.Errorf("processes of the server's group left after its exit (kill -0: %v)", err)
	}
}

// cli runs the command line against dir and returns its stdout, failing
// the test unless it exits with status 0.
func cli(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--basedir", dir}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tentacle %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// cliFails runs the command line against dir and returns its stderr,
// failing the test unless it exits with status 1 and prints nothing on
// stdout.
func cliFails(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--basedir", dir}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || stdout.Len() > 0 {
		t.Errorf("tentacle %s: %v, want exit status 1 and no output\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stderr.String()
}

// status GETs url and returns the status.
func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// getJSON GETs url and decodes its JSON answer into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command")
	}
	defer http.DefaultClient.CloseIdleConnections()
	bin := buildHost(t)
	dir := filepath.Join(t.TempDir(), "base") // created by the first start
	port := freePort(t)

	// First start: layout, key, API, and the command line through the server.
	p := runServer(t, bin, dir, port)
	p.waitServing()
	// The run file is there as soon as the server answers.
	var ri serve.RunInfo
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, serve.RunFile)), &ri); err != nil || ri.URL != p.url || ri.PID != p.cmd.Process.Pid {
		t.Errorf("%s: %+v (%v), want url %s, pid %d", serve.RunFile, ri, err, p.url, p.cmd.Process.Pid)
	}
	key, _ := dig(readConfig(t, dir), "api.key")
	if k, _ := key.(string); k == "" || !strings.Contains(p.stderr.String(), k) {
		t.Fatalf("api.key %v not printed at the first start:\n%s", key, p.stderr)
	}
	h := &harness{t: t, url: p.url, key: key.(string), client: &http.Client{Transport: &http.Transport{}, Timeout: deadline}}
	defer h.client.CloseIdleConnections()
	apiCase{method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "greet", "name": "e2e"},
		wantStatus: 200, wantBody: map[string]any{"greeting": "Hello, e2e"}}.run(t, h)
	apiCase{method: "POST", path: "/api/plugin/demo", body: map[string]any{"command": "greet", "name": "e2e"}, wantStatus: 401}.run(t, h)

	if out := cli(t, bin, dir, "plugins", "list"); !strings.Contains(out, "demo") || !strings.Contains(out, "crasher") {
		t.Errorf("plugins list:\n%s", out)
	}
	if out := cli(t, bin, dir, "plugins", "disable", "demo"); !strings.Contains(out, "demo: disabled") {
		t.Errorf("plugins disable demo: %q", out)
	}
	if got := status(t, p.url+"/plugin/demo/hello"); got != http.StatusNotFound {
		t.Errorf("GET /plugin/demo/hello right after the disable: %d, want 404", got)
	}
	var in manager.Info
	if err := json.Unmarshal([]byte(cli(t, bin, dir, "plugins", "info", "demo", "--json")), &in); err != nil {
		t.Fatal(err)
	}
	// "disabled" is a state only a running manager has: the answer came
	// from the server.
	if in.Key != "demo" || in.Enabled || in.State != "disabled" {
		t.Errorf("plugins info demo --json: key %q, enabled %v, state %q; want demo, false, disabled", in.Key, in.Enabled, in.State)
	}
	// A print through the command line, on the bundled virtual printer:
	// uploaded, connected, printed to its end.
	gcode := filepath.Join(t.TempDir(), "part.gcode")
	writeFile(t, gcode, strings.Repeat("G1 X10 E1\nG1 X0 E1\n", 500))
	if out := cli(t, bin, dir, "print", gcode, "--port", "VIRTUAL"); !strings.Contains(strings.ToLower(out), "done") {
		t.Errorf("print: %q", out)
	}
	var job struct {
		Job struct {
			LastPrint struct{ Path, Result string } `json:"lastPrint"`
		} `json:"job"`
		Progress struct {
			Completion    float64
			Filepos       int64
			PrintTimeLeft *float64
		}
	}
	if err := json.Unmarshal([]byte(cli(t, bin, dir, "printer", "state", "--json")), &struct{}{}); err != nil {
		t.Errorf("printer state --json: %v", err)
	}
	getJSON(t, p.url+"/api/job", &job)
	if job.Job.LastPrint.Path != "part.gcode" || job.Job.LastPrint.Result != "done" {
		t.Errorf("last print %+v, want part.gcode done", job.Job.LastPrint)
	}
	// The progress stays where the print ended, as OctoPrint's does.
	if p := job.Progress; p.Completion != 100 || p.Filepos != 19*500 || p.PrintTimeLeft == nil || *p.PrintTimeLeft != 0 {
		t.Errorf("progress after the print %+v, want 100%%, filepos 9500 (the file), printTimeLeft 0", p)
	}
	// The server's own hooks are listed, without handlers.
	if out := cli(t, bin, dir, "plugins", "hooks"); !strings.Contains(out, "tentacle.comm.protocol.gcode.sending\n  no handlers") {
		t.Errorf("plugins hooks: %q", out)
	}
	// A key in config.yaml that is not the server's fails the commands
	// (403), rather than making them work offline behind its back.
	cfg := readFile(t, filepath.Join(dir, "config.yaml"))
	writeFile(t, filepath.Join(dir, "config.yaml"), strings.Replace(string(cfg), key.(string), "0123456789abcdef", 1))
	if out := cliFails(t, bin, dir, "plugins", "list"); !strings.Contains(out, "wrong API key") {
		t.Errorf("plugins list with a wrong key in config.yaml: stderr %q, want the server's 403", out)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), string(cfg))
	// An unknown hook is an error, as the server's 404 for it.
	if out := cliFails(t, bin, dir, "plugins", "hooks", "tentacle.no.such.hook"); !strings.Contains(out, `tentacle: hook "tentacle.no.such.hook": unknown hook`) {
		t.Errorf("plugins hooks tentacle.no.such.hook: stderr %q, want an unknown-hook error", out)
	}
	if out := cli(t, bin, dir, "plugins", "enable", "demo"); !strings.Contains(out, "demo: enabled") {
		t.Errorf("plugins enable demo: %q", out)
	}
	if got := status(t, p.url+"/plugin/demo/hello"); got != http.StatusOK {
		t.Errorf("GET /plugin/demo/hello right after the enable: %d, want 200", got)
	}
	eventually(t, "demo's after_startup of the enable", func() bool { return len(readCalls(t, dir)) == 4 })
	p.stop(syscall.SIGTERM)
	calls := readCalls(t, dir)
	if len(calls) == 0 || calls[len(calls)-1] != "shutdown" {
		t.Errorf("calls.log %q, want it to end with shutdown", calls)
	}
	for _, f := range []string{serve.RunFile, ".incomplete_startup"} {
		if exists(filepath.Join(dir, f)) {
			t.Errorf("%s left after a clean stop", f)
		}
	}

	// Second start: crasher kills the process while it initializes.
	writeFile(t, filepath.Join(dir, "crash"), "")
	p = runServer(t, bin, dir, port)
	err := p.wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("start with crash: %v, want death by SIGKILL\n%s", err, p.stderr)
	}
	var marker struct {
		Running []struct{ Plugin, Phase string }
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, ".incomplete_startup")), &marker); err != nil {
		t.Fatal(err)
	}
	if len(marker.Running) != 1 || marker.Running[0].Plugin != "crasher" || marker.Running[0].Phase != "initialize" {
		t.Errorf("marker of the incomplete start: %v, want crasher in initialize", marker)
	}

	// Third start: crasher is quarantined, the rest runs.
	p = runServer(t, bin, dir, port)
	p.waitServing()
	var info serve.ServerInfo
	h.getJSON("/api/server", &info)
	if info.SafeMode != nil || len(info.Quarantined) != 1 || info.Quarantined[0].Plugin != "crasher" ||
		!strings.Contains(info.Quarantined[0].Evidence, "initialize") {
		t.Errorf("/api/server: safe mode %v, quarantined %+v; want crasher with evidence naming initialize", info.SafeMode, info.Quarantined)
	}
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, h)
	var crasherLine string
	for _, line := range strings.Split(cli(t, bin, dir, "plugins", "list"), "\n") {
		if strings.HasPrefix(line, "crasher ") {
			crasherLine = line
		}
	}
	if !strings.Contains(crasherLine, "quarantined") || !strings.Contains(crasherLine, "initialize") {
		t.Errorf("plugins list shows crasher as %q, want quarantined with the evidence", crasherLine)
	}
	if strings.Contains(p.stderr.String(), "API key") {
		t.Errorf("the key was printed again:\n%s", p.stderr)
	}
	p.stop(syscall.SIGINT)
	if exists(filepath.Join(dir, ".incomplete_startup")) {
		t.Errorf(".incomplete_startup left after the third, clean, start")
	}
}

// A stop that has to cut off a request still in progress (after the 10 s
// the stop gives requests) ends with exit status 1 and says why, as the
// server's guide documents; the stop itself completes.
func TestEndToEndForcedStopExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command, and waits for its stop's 10 s")
	}
	t.Parallel() // most of it is waiting
	bin := buildHost(t)
	dir := filepath.Join(t.TempDir(), "base")
	p := runServer(t, bin, dir, freePort(t))
	p.waitServing()
	ended := waitRequest(t, p.url)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := p.wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit after a stop that cut off a request: %v, want exit status 1\n%s", err, p.stderr)
	}
	if out := p.stderr.String(); !strings.Contains(out, "tentacle: stop serving: context deadline exceeded") ||
		!strings.Contains(out, "requests still running; closing their connections") {
		t.Errorf("stderr does not say the stop cut off a request:\n%s", out)
	}
	<-ended
	if exists(filepath.Join(dir, serve.RunFile)) {
		t.Errorf("%s left after the stop", serve.RunFile)
	}
}
