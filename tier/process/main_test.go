package process_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/internal/proctest"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// testPlugins are the test plugins under testdata, built once per run.
var testPlugins = []string{"hello", "tool", "marker", "chatty", "exitstart", "hangstart", "crosstier", "filtered", "levels", "baddescribe", "observer", "conventions"}

// legacyPlugins are the test plugins built with the SDK's legacyTags: they
// speak the earlier protocol (go-plugin and gRPC, direct calls beside), as
// plugins built with earlier SDKs do. Name them with legacy.
var legacyPlugins = []string{"hello", "tool", "chatty"}

// legacyTags are the build tags of an SDK of the earlier protocol.
const legacyTags = "tentacle_grpc"

// packTags are the build tags tentacle plugins pack builds a plugin with
// (internal/pack): the test plugins are built as a packed plugin is,
// statically linked.
const packTags = "netgo,osusergo"

// legacy names test plugin name as built by legacyPlugins.
func legacy(name string) string { return filepath.Join("grpc", name) }

// overGRPC returns test plugin name for a test that runs over direct calls
// (direct) or over gRPC alone: then the plugin built to speak the earlier
// protocol, told to offer no direct calls (in the environment it inherits).
func overGRPC(t testing.TB, direct bool, name string) string {
	t.Helper()
	if direct {
		return name
	}
	t.Setenv(sdk.DirectCallsEnv, "off")
	return legacy(name)
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// bin returns the executable of test plugin name (a folder under
// testdata), building every test plugin on first use.
//
// They are built into a cache folder of the user's that is kept: the go
// command relinks only what changed (so a run costs no link when nothing
// did), replaces an executable with a new file (so links made to the old one
// by a run still under way keep it), and no run leaves a folder behind.
// The package's TestMain is the conformance tests'.
func bin(t testing.TB, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir = testPluginCache()
		if buildErr = os.MkdirAll(binDir, 0o755); buildErr != nil {
			return
		}
		for _, set := range []struct {
			tags, dir string
			plugins   []string
		}{{packTags, binDir, testPlugins}, {legacyTags, filepath.Join(binDir, legacy("")), legacyPlugins}} {
			if buildErr = os.MkdirAll(set.dir, 0o755); buildErr != nil {
				return
			}
			args := []string{"build", "-tags=" + set.tags, "-ldflags=-s -w", "-o", set.dir + string(filepath.Separator)}
			for _, p := range set.plugins {
				args = append(args, "./testdata/"+p)
			}
			if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build the test plugins (tags %q): %v\n%s", set.tags, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

// testPluginCache is the folder the test plugins are built into: a cache
// folder of the user's that is kept, one per checkout of the repository
// (named after the checkout's path), so that the tests of two checkouts
// that run at once never replace each other's executables.
func testPluginCache() string {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	wd, _ := os.Getwd()
	sum := sha256.Sum256([]byte(wd))
	return filepath.Join(cache, "tentacle-process-test-plugins", hex.EncodeToString(sum[:6]))
}

// place puts executable src at dst as a hard link when it can (no file is
// written, so none is busy when it is run), else as a copy.
func place(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if os.Link(src, dst) == nil {
		return
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// install installs test plugin name as plugin id into the packages folder
// pkgs, with a manifest giving its SHA-256, and returns its executable.
func install(t testing.TB, pkgs, id, name string) string {
	t.Helper()
	exe := filepath.Join(pkgs, id, process.ExecutablePrefix+id)
	place(t, bin(t, name), exe)
	sum, err := process.FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(pkgs, id, process.ManifestFile),
		fmt.Sprintf("id: %s\nname: %s\nversion: 1.0.0\nsha256: %s\n", id, name, sum))
	return exe
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// textHook is the type of the hooks the test hosts declare.
type textHook func(string) string

// Hook names the test hosts declare.
const (
	hookLine    = "test.line"    // hello's handler upper-cases
	hookGreet   = "test.greet"   // hello's handler greets with its greeting setting
	hookSlow    = "test.slow"    // tool's handler sleeps as long as its argument says
	hookPatient = "test.patient" // the same handler, under another hook
)

// testHooks are the hooks the test plugins handle, which every test host
// declares.
var testHooks = []string{hookLine, hookGreet, hookSlow, hookPatient}

// hostConfig configures a test host.
type hostConfig struct {
	plugins  map[string]string // plugin id -> test plugin, installed into the packages folder
	builtin  map[string]*tentacle.Definition
	proc     process.Options
	budgets  map[string]time.Duration // hooks.Spec.Budget of test.slow and test.patient
	restarts int                      // manager.Options.Restarts
	backoff  time.Duration            // manager.Options.RestartBackoff; default 10 ms
	settings map[string]any
	mixins   []tentacle.Mixin // manager.Options.Mixins
	noStart  bool
	// prepare, if set, fills the packages folder before the source is made.
	prepare func(pkgs string)
	// levels, if set, gives the loggers these levels, as the server does.
	levels *loglevel.Registry
}

// testHost is a manager over a packages folder of process plugins, with a
// recording event bus and log.
type testHost struct {
	t     testing.TB
	m     *manager.Manager
	dir   string // base directory
	pkgs  string // packages folder
	src   tier.Origin
	store *settings.Store
	logs  *logRecorder
	bus   *recordingBus
	line  *hooks.Hook[textHook]
	greet *hooks.Hook[textHook]
	slow  *hooks.Hook[textHook]
	wait  *hooks.Hook[textHook] // test.patient

	mu   sync.Mutex
	pids map[int]bool // every plugin process seen
}

// newHost makes a test host and starts it (unless cfg.noStart). Cleanup
// shuts it down and checks that no plugin process and no goroutine is left.
func newHost(t testing.TB, cfg hostConfig) *testHost {
	t.Helper()
	leaks := goleak.IgnoreCurrent()
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages")
	if err := os.MkdirAll(pkgs, 0o755); err != nil {
		t.Fatal(err)
	}
	for id, name := range cfg.plugins {
		install(t, pkgs, id, name)
	}
	if cfg.prepare != nil {
		cfg.prepare(pkgs)
	}
	store, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, v := range cfg.settings {
		if err := store.Set(path, v); err != nil {
			t.Fatal(err)
		}
	}
	if cfg.backoff == 0 {
		cfg.backoff = 10 * time.Millisecond
	}
	h := &testHost{t: t, dir: dir, pkgs: pkgs, store: store, logs: &logRecorder{}, bus: &recordingBus{}, pids: map[int]bool{}}
	h.src = process.New(pkgs, cfg.proc)
	sources := []tier.Origin{h.src}
	if cfg.builtin != nil {
		sources = append([]tier.Origin{tier.Definitions("builtin", false, cfg.builtin)}, sources...)
	}
	var logs slog.Handler = &recHandler{r: h.logs}
	if cfg.levels != nil {
		logs = cfg.levels.Handler(logs, loglevel.Root)
	}
	h.m, err = manager.New(manager.Options{
		Origins:        sources,
		BaseDir:        dir,
		Settings:       store,
		Restarts:       cfg.restarts,
		RestartBackoff: cfg.backoff,
		Mixins:         cfg.mixins,
		Logger:         slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.line = hooks.MustDeclare[textHook](h.m.Hooks(), hooks.Spec{Name: hookLine})
	h.greet = hooks.MustDeclare[textHook](h.m.Hooks(), hooks.Spec{Name: hookGreet})
	h.slow = hooks.MustDeclare[textHook](h.m.Hooks(), hooks.Spec{Name: hookSlow, Budget: cfg.budgets[hookSlow]})
	h.wait = hooks.MustDeclare[textHook](h.m.Hooks(), hooks.Spec{Name: hookPatient, Budget: cfg.budgets[hookPatient]})
	h.m.Inject(server.InjectEventBus, h.bus)
	t.Cleanup(func() {
		for _, in := range h.m.List() {
			h.note(in)
		}
		if err := h.m.Shutdown(context.Background()); err != nil {
			t.Logf("shutdown: %v", err)
		}
		h.mu.Lock()
		for pid := range h.pids {
			waitGone(t, pid)
		}
		h.mu.Unlock()
		if t.Failed() {
			h.logs.dump(t)
		}
		goleak.VerifyNone(t, leaks)
	})
	if !cfg.noStart {
		if err := h.m.Start(context.Background()); err != nil {
			t.Logf("start: %v", err) // errors of single plugins are what some tests check
		}
	}
	return h
}

// info returns plugin id's listing entry, noting its process.
func (h *testHost) info(id string) manager.Info {
	h.t.Helper()
	in, ok := h.m.Info(id)
	if !ok {
		h.t.Fatalf("plugin %s is not listed", id)
	}
	h.note(in)
	return in
}

// note remembers the process of a listing entry, to check at the end that
// it is gone.
func (h *testHost) note(in manager.Info) {
	if in.Process != nil && in.Process.PID != 0 {
		h.mu.Lock()
		h.pids[in.Process.PID] = true
		h.mu.Unlock()
	}
}

// pid returns the process id of enabled plugin id, waiting for it to run.
func (h *testHost) pid(id string) int {
	h.t.Helper()
	var pid int
	h.waitFor(id+" running", func() bool {
		in := h.info(id)
		if in.Enabled && in.Process != nil && in.Process.PID != 0 {
			pid = in.Process.PID
			return true
		}
		return false
	})
	return pid
}

// waitFor waits for cond: it must become true before the deadline.
func (h *testHost) waitFor(what string, cond func() bool) {
	h.t.Helper()
	waitFor(h.t, what, cond)
}

// deadline bounds what must happen; it never measures speed.
const deadline = 30 * time.Second

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: still not the case after %s", what, deadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// alive reports whether process pid runs (a zombie does not: it is dead,
// waiting for a parent that may never reap it). Off Linux it asks
// proctest.Gone, which counts a zombie as running.
func alive(pid int) bool {
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// pid (comm) state ...: the state follows the last ')'.
		s := string(stat)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			return s[i+2] != 'Z' && s[i+2] != 'X'
		}
		return true
	}
	return !proctest.Gone(pid)
}

// running returns the processes (alive) whose executable is in dir. It
// reads /proc; where there is none, it finds none.
func running(t testing.TB, dir string) []int {
	t.Helper()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	des, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, de := range des {
		pid, err := strconv.Atoi(de.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", de.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, dir+string(filepath.Separator)) && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitGone waits for process pid to be gone.
func waitGone(t testing.TB, pid int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("process %d gone", pid), func() bool { return !alive(pid) })
}

// helper returns helper name of enabled plugin id as the host's code gets
// it.
func (h *testHost) helper(id, name string) wire.RemoteFunc {
	h.t.Helper()
	fn, ok := h.m.PluginManager().Helpers(id, name)[name]
	if !ok {
		h.t.Fatalf("no helper %s of %s (is it enabled?)", name, id)
	}
	rf, ok := fn.(wire.RemoteFunc)
	if !ok {
		h.t.Fatalf("helper %s of %s is a %T, not a wire.RemoteFunc", name, id, fn)
	}
	return rf
}

// call calls helper name of enabled plugin id and returns its results as
// JSON text, joined by spaces.
func (h *testHost) call(id, name string, args ...any) (string, error) {
	h.t.Helper()
	out, err := h.helper(id, name)(args...)
	parts := make([]string, len(out))
	for i, o := range out {
		parts[i] = string(o)
	}
	return strings.Join(parts, " "), err
}

// logRecorder records the host's log.
type logRecorder struct {
	mu   sync.Mutex
	recs []logRecord
}

type logRecord struct {
	Level slog.Level
	Msg   string
	Attrs map[string]any
}

func (r *logRecorder) records() []logRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logRecord(nil), r.recs...)
}

// find returns the first record with message msg.
func (r *logRecorder) find(msg string) (logRecord, bool) {
	for _, rec := range r.records() {
		if rec.Msg == msg {
			return rec, true
		}
	}
	return logRecord{}, false
}

// has reports whether a record with message msg and attribute n is
// logged.
func (r *logRecorder) has(msg string, n int) bool {
	for _, rec := range r.records() {
		if rec.Msg == msg && fmt.Sprint(rec.Attrs["n"]) == fmt.Sprint(n) {
			return true
		}
	}
	return false
}

func (r *logRecorder) dump(t testing.TB) {
	t.Helper()
	for _, rec := range r.records() {
		t.Logf("log: %s %s %v", rec.Level, rec.Msg, rec.Attrs)
	}
}

// recHandler is a slog.Handler into a logRecorder.
type recHandler struct {
	r     *logRecorder
	attrs []slog.Attr
}

func (h *recHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recHandler) Handle(_ context.Context, rec slog.Record) error {
	attrs := make(map[string]any, len(h.attrs)+rec.NumAttrs())
	for _, a := range h.attrs {
		attrs[a.Key] = a.Value.Any()
	}
	rec.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Any()
		return true
	})
	h.r.mu.Lock()
	h.r.recs = append(h.r.recs, logRecord{Level: rec.Level, Msg: rec.Message, Attrs: attrs})
	h.r.mu.Unlock()
	return nil
}

func (h *recHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &recHandler{r: h.r, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *recHandler) WithGroup(string) slog.Handler { return h }

// recordingBus is an event bus (server.EventBus) that records what is fired.
type recordingBus struct {
	mu     sync.Mutex
	events []firedEvent
}

type firedEvent struct {
	Name    string
	Payload map[string]any
}

func (b *recordingBus) Fire(event string, payload map[string]any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, firedEvent{event, payload})
}

func (b *recordingBus) fired() []firedEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]firedEvent(nil), b.events...)
}

// The helper host: a test re-executes the test binary as a host that
// starts a process plugin and waits to be killed.
const (
	helperHostEnv  = "TENTACLE_PROCESS_TEST_HELPER_HOST"
	helperPkgsEnv  = "TENTACLE_PROCESS_TEST_PACKAGES"
	helperPIDLabel = "plugin-pid="
)

// TestHelperHost is no test: it is the host that startHelperHost runs by
// re-executing the test binary (the pattern of os/exec's and go-plugin's
// tests). Run as a test, it does nothing.
func TestHelperHost(t *testing.T) {
	if os.Getenv(helperHostEnv) != "1" {
		return
	}
	os.Exit(helperHost())
}

// helperHost runs as the helper host: it starts the plugins of the
// packages folder the environment names, prints the pid of each process
// plugin's process and waits until it is killed (or its stdin closes).
func helperHost() int {
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{process.New(os.Getenv(helperPkgsEnv), process.Options{})},
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, name := range testHooks {
		hooks.MustDeclare[textHook](m.Hooks(), hooks.Spec{Name: name})
	}
	if err := m.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	for _, in := range m.List() {
		if in.Process != nil {
			fmt.Printf("%s%d\n", helperPIDLabel, in.Process.PID)
		}
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = m.Shutdown(context.Background())
	return 0
}

// helperHostProc is a running helper host.
type helperHostProc struct {
	cmd        *exec.Cmd
	closeStdin func()        // asks it to stop
	done       chan struct{} // closed once it has exited
}

// startHelperHost starts the test binary as a host of the plugins in pkgs
// and returns it with the pids of its plugin processes, once it has
// started them all.
func startHelperHost(t *testing.T, pkgs string, plugins int) (*helperHostProc, []int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHost$")
	cmd.Env = append(os.Environ(), helperHostEnv+"=1", helperPkgsEnv+"="+pkgs)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("helper host's log:\n%s", stderr.String())
		}
	})
	var pids []int
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		for len(pids) < plugins && sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), helperPIDLabel); ok {
				pid, err := strconv.Atoi(v)
				if err != nil || pid <= 0 {
					t.Errorf("helper host: bad pid line %q", sc.Text())
					continue
				}
				pids = append(pids, pid)
			}
		}
	}()
	select {
	case <-read:
	case <-time.After(time.Minute):
		// A host that never starts its plugins fails the test (the cleanup
		// shows its log) rather than hanging it until the binary's timeout.
		_ = cmd.Process.Kill()
		<-read
		t.Fatal("helper host: its plugins did not start within a minute")
	}
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, stdout) // until it ends
		_ = cmd.Wait()
	}()
	if len(pids) < plugins {
		t.Fatalf("helper host: %d plugin pids, want %d", len(pids), plugins)
	}
	return &helperHostProc{cmd: cmd, closeStdin: func() { stdin.Close() }, done: done}, pids
}
