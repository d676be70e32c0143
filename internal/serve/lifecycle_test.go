package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// recorder records calls from several plugins, in order.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// starter records its startup and shutdown callbacks; keys, when set,
// are its sorting keys by context.
type starter struct {
	tentacle.Base
	rec   *recorder
	keys  map[string]int
	panic bool // OnStartup panics
}

var (
	_ server.Startup      = (*starter)(nil)
	_ server.AfterStartup = (*starter)(nil)
	_ server.Shutdown     = (*starter)(nil)
)

func (s *starter) OnStartup(host string, port int) {
	s.rec.add("startup " + s.Identifier())
	if s.panic {
		panic("startup panic on purpose")
	}
}
func (s *starter) OnAfterStartup() { s.rec.add("after_startup " + s.Identifier()) }
func (s *starter) OnShutdown()     { s.rec.add("shutdown " + s.Identifier()) }

// sortedStarter is a starter with sorting keys.
type sortedStarter struct{ starter }

func (s *sortedStarter) SortingKey(context string) (int, bool) {
	k, ok := s.keys[context]
	return k, ok
}

func TestStartupAndShutdownSortingOrder(t *testing.T) {
	rec := &recorder{}
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		"alpha": {Implementation: &sortedStarter{starter{rec: rec, keys: map[string]int{
			server.SortStartup: 2000, server.SortShutdown: 1,
		}}}},
		"beta":  {Implementation: &starter{rec: rec}},
		"gamma": {Implementation: &starter{rec: rec, panic: true}},
		"delta": {Implementation: &sortedStarter{starter{rec: rec, keys: map[string]int{server.SortAfterStartup: 1}}}},
	}})
	eventually(t, "every after_startup", func() bool { return len(rec.get()) == 8 })
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"startup beta", "startup delta", "startup gamma", "startup alpha",
		"after_startup delta", "after_startup alpha", "after_startup beta", "after_startup gamma",
		"shutdown alpha", "shutdown beta", "shutdown delta", "shutdown gamma",
	}
	if diff := cmp.Diff(want, rec.get()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
}

// slowStarter's OnAfterStartup waits for release, then records its end.
type slowStarter struct {
	tentacle.Base
	rec     *recorder
	entered chan struct{}
	release chan struct{}
}

func (s *slowStarter) OnAfterStartup() {
	close(s.entered)
	<-s.release
	s.rec.add("after_startup returned")
}
func (s *slowStarter) OnShutdown() { s.rec.add("shutdown") }

// A stop that begins while a plugin's OnAfterStartup runs waits for it
// before it calls OnShutdown: no plugin hears of the stop while it is
// still starting.
func TestStopWaitsForAfterStartup(t *testing.T) {
	rec := &recorder{}
	p := &slowStarter{rec: rec, entered: make(chan struct{}), release: make(chan struct{})}
	h := start(t, setup{plugins: map[string]*tentacle.Definition{"slow": {Implementation: p}}})
	<-p.entered
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	// Released once OnShutdown is called (the stop did not wait), or after
	// a while (it waits): either way the order is recorded.
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 0; i < 200 && !slices.Contains(rec.get(), "shutdown"); i++ {
			<-tick.C
		}
		close(p.release)
	}()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"after_startup returned", "shutdown"}, rec.get()); diff != "" {
		t.Errorf("callbacks (-want +got):\n%s", diff)
	}
}

func TestStartupPanicIsCounted(t *testing.T) {
	rec := &recorder{}
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		"gamma": {Implementation: &starter{rec: rec, panic: true}},
	}})
	in := pluginInfo(t, h, "gamma")
	if in.Faults != 1 || !strings.Contains(in.LastFault, "startup panic on purpose") || !in.Enabled {
		t.Errorf("gamma: faults %d, last %q, enabled %v; want 1 fault, still enabled", in.Faults, in.LastFault, in.Enabled)
	}
}

// slow is a plugin whose OnAfterStartup waits until released.
type slow struct {
	tentacle.Base
	release chan struct{}
}

func (s *slow) OnAfterStartup() { <-s.release }

func TestSlowAfterStartupDoesNotDelayServing(t *testing.T) {
	sl := &slow{release: make(chan struct{})}
	h := start(t, setup{plugins: map[string]*tentacle.Definition{"slow": {Implementation: sl}}})
	released := false
	t.Cleanup(func() {
		if !released {
			close(sl.release)
		}
	})
	// Serving while OnAfterStartup runs: the start is not complete yet,
	// and the marker says whose code runs.
	apiCase{method: "GET", path: "/api/version", wantStatus: 200}.run(t, h)
	eventually(t, "the marker names slow in OnAfterStartup", func() bool {
		var marker struct {
			Running []struct{ Plugin, Phase string }
		}
		if err := json.Unmarshal(readFile(t, h.path(".incomplete_startup")), &marker); err != nil {
			t.Fatal(err)
		}
		for _, r := range marker.Running {
			if r.Plugin == "slow" && r.Phase == "OnAfterStartup" {
				return true
			}
		}
		return false
	})
	apiCase{method: "GET", path: "/api/version", wantStatus: 200}.run(t, h)
	close(sl.release)
	released = true
	eventually(t, "the start completes", func() bool { return !exists(h.path(".incomplete_startup")) })
}

func TestRunFailsWhenTheAddressIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	srv, err := serve.New(serve.Options{
		BaseDir: dir, Port: ln.Addr().(*net.TCPAddr).Port, Console: io.Discard, ShutdownTimeout: deadline,
		Origins: []tier.Origin{tier.Bundled(), tier.Definitions("test", false, map[string]*tentacle.Definition{demo.ID: demo.New()})},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run on a taken port: %v, want a listen error", err)
	}
	select {
	case <-srv.Ready():
		t.Error("Ready closed though the server never served")
	default:
	}
	for _, f := range []string{serve.RunFile, ".incomplete_startup"} {
		if exists(dir + "/" + f) {
			t.Errorf("%s left after a failed start", f)
		}
	}
	if in, _ := srv.Manager().Info("demo"); in.Enabled {
		t.Errorf("demo still enabled after the failed start")
	}
}

func TestNewWithoutBaseDirectory(t *testing.T) {
	if _, err := serve.New(serve.Options{Console: io.Discard}); err == nil {
		t.Error("New without a base directory: no error")
	}
}

func TestConcurrentSettingsSaves(t *testing.T) {
	h := start(t, setup{})
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"plugins":{"demo":{"greeting":"g%d","count":%d}}}`, i, i+10)
			req, _ := http.NewRequest("POST", h.url+"/api/settings", bytes.NewReader([]byte(body)))
			req.Header.Set("X-Api-Key", h.key)
			resp, err := h.client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("POST %s: %d", body, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := demoSettings(t, h, h.key)
	cfg, _ := dig(readConfig(t, h.dir), "plugins.demo")
	want := map[string]any{"greeting": got["greeting"], "count": int(got["count"].(float64))}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config.yaml plugins.demo against the served settings (-want +got):\n%s", diff)
	}
	// One request's values, not a mix of two.
	if g, c := got["greeting"].(string), got["count"].(float64); strings.TrimPrefix(g, "g") != strconv.Itoa(int(c)-10) {
		t.Errorf("greeting %q and count %v come from different requests", g, c)
	}
}

// flusher changes its settings in OnShutdown without saving them.
type flusher struct{ tentacle.Base }

func (f *flusher) SettingsDefaults() map[string]any { return map[string]any{"clean": false} }
func (f *flusher) OnShutdown() {
	if err := f.Settings().Set("clean", true); err != nil {
		panic(err)
	}
}

func TestSettingsFlushedAtStop(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{"flusher": {Implementation: &flusher{}}}})
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if got, _ := dig(readConfig(t, h.dir), "plugins.flusher.clean"); got != true {
		t.Errorf("config.yaml plugins.flusher.clean = %v after the stop, want true", got)
	}
	if in, _ := h.srv.Manager().Info("flusher"); in.Faults != 0 {
		t.Errorf("flusher's OnShutdown failed: %s", in.LastFault)
	}
}

// stuck never returns from OnShutdown until released.
type stuck struct {
	tentacle.Base
	release chan struct{}
}

func (s *stuck) OnShutdown() { <-s.release }

// A plugin stuck in OnShutdown does not keep the server from stopping: the
// stop goes on after ShutdownTimeout.
func TestStuckShutdownCallbackIsBounded(t *testing.T) {
	st := &stuck{release: make(chan struct{})}
	h := start(t, setup{
		plugins:         map[string]*tentacle.Definition{"stuck": {Implementation: st}},
		shutdownTimeout: 200 * time.Millisecond,
	})
	defer close(st.release) // let the abandoned callback end, for goleak
	if err := h.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if !bytes.Contains(readFile(t, h.path("logs/tentacle.log")), []byte("Shutdown callbacks still running")) {
		t.Error("the log does not say the stop went on without the stuck callback")
	}
}

// waitRequest starts GET /plugin/demo/wait, which the server holds until it
// cuts it off, and returns once the request is in progress; the channel
// gets the error that ended its answer.
func waitRequest(t *testing.T, url string) <-chan error {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	resp, err := client.Get(url + "/plugin/demo/wait")
	if err != nil {
		t.Fatal(err)
	}
	line := make([]byte, len("waiting\n"))
	if _, err := io.ReadFull(resp.Body, line); err != nil || string(line) != "waiting\n" {
		t.Fatalf("GET /plugin/demo/wait: %q, %v", line, err)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ended <- err
	}()
	return ended
}

// A request still in progress when the stop's time for requests runs out
// is cut off, and the stop fails once it is done (the command's exit
// status 1, as documented); the rest of the stop still happens.
func TestStopCuttingOffRequestsFails(t *testing.T) {
	h := start(t, setup{shutdownTimeout: 200 * time.Millisecond})
	ended := waitRequest(t, h.url)
	err := h.stop()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "stop serving") {
		t.Errorf("stop: %v, want stop serving: context deadline exceeded", err)
	}
	h.runErr = nil // checked: not the cleanup's failure
	select {
	case <-ended:
	case <-time.After(deadline):
		t.Fatal("the request was not cut off")
	}
	if calls := h.calls(); !slices.Contains(calls, "shutdown") {
		t.Errorf("calls.log %q, want the stop to go on to demo's shutdown", calls)
	}
	if exists(h.path(serve.RunFile)) {
		t.Errorf("%s left after the stop", serve.RunFile)
	}
}
