package serve_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/fakeprinter"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	proctier "github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"

	// The bundled Plugin Manager and Logging plugin, registered for
	// tier.Bundled.
	_ "github.com/tentacle-go/tentacle/plugins/logging"
	_ "github.com/tentacle-go/tentacle/plugins/pluginmanager"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, logMill)
}

// logMill leaves out of goleak's checks the goroutine that lumberjack
// starts to compress and remove rotated log files, which it never ends
// (natefinch/lumberjack#56): one per server.
var logMill = goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun")

// deadline bounds every wait for something that must happen; it only
// guards against a hang and is never a measure of speed.
const deadline = 30 * time.Second

// setup says how to start a test server. The zero value starts one on a
// new base directory with the bundled plugins and demo as an installed
// plugin.
type setup struct {
	// dir is the base directory; default a new temporary one.
	dir string
	// plugins are installed (not bundled) plugins; default demo alone.
	plugins map[string]*tentacle.Definition
	// bundled are extra plugins that count as bundled.
	bundled map[string]*tentacle.Definition
	// config, if set, is written as config.yaml before the start.
	config string
	// marker, if set, is written as .incomplete_startup before the start.
	marker string
	// safeMode is Options.SafeMode.
	safeMode bool
	// shutdownTimeout is Options.ShutdownTimeout; default the harness's
	// deadline.
	shutdownTimeout time.Duration
	// folder adds the plugins folder (<basedir>/plugins) as a source.
	folder bool
	// packages adds the packages folder (<basedir>/packages) as a source.
	packages bool
	// allowedHosts is Options.AllowedHosts (--allowed-host).
	allowedHosts []string
	// restartable is Options.Restartable.
	restartable bool
	// now is Options.Now, the clock of sessions and the login throttle.
	now func() time.Time
	// printer gives the server a fake printer (harness.printer).
	printer bool
}

// bundledOrigin is the server's bundled plugins (tier.Bundled) but the
// virtual printer, which a test that wants it bundles itself
// (setup.bundled): the tests that import it for that must not change what
// the others see.
func bundledOrigin() tier.Origin {
	defs := map[string]*tentacle.Definition{}
	for _, id := range tentacle.Registered() {
		if id != virtualprinter.ID {
			defs[id], _ = tentacle.Registration(id)
		}
	}
	return tier.Definitions(tier.OriginBundled, true, defs)
}

// harness is a running test server and a client for it.
type harness struct {
	t       testing.TB
	srv     *serve.Server
	dir     string
	url     string
	key     string
	client  *http.Client
	console *syncBuffer
	demo    *demo.Demo           // demo's implementation, when demo is installed
	printer *fakeprinter.Printer // the fake printer, with setup.printer

	cancel  context.CancelFunc
	done    chan struct{}
	runErr  error
	stopped sync.Once
}

// start starts a server as su says, waits until it serves and stops it
// when the test ends, failing the test if Run returns an error.
func start(t testing.TB, su setup) *harness {
	t.Helper()
	if su.dir == "" {
		su.dir = t.TempDir()
	}
	if su.plugins == nil {
		su.plugins = map[string]*tentacle.Definition{demo.ID: demo.New()}
	}
	if su.config != "" {
		writeFile(t, filepath.Join(su.dir, "config.yaml"), su.config)
	}
	if su.marker != "" {
		writeFile(t, filepath.Join(su.dir, ".incomplete_startup"), su.marker)
	}
	sources := []tier.Origin{bundledOrigin(), tier.Definitions("test", false, su.plugins)}
	if su.bundled != nil {
		sources = append(sources, tier.Definitions("testbundled", true, su.bundled))
	}
	if su.folder {
		sources = append(sources, source.New(filepath.Join(su.dir, "plugins"), source.Options{}))
	}
	if su.packages {
		sources = append(sources, proctier.New(filepath.Join(su.dir, "packages"), proctier.Options{}))
	}
	console := &syncBuffer{}
	var fake *fakeprinter.Printer
	var newPrinter func(func(string, map[string]any)) (server.Printer, error)
	if su.printer {
		newPrinter = func(fire func(string, map[string]any)) (server.Printer, error) {
			fake = fakeprinter.New(filepath.Join(su.dir, "uploads"), fire)
			return fake, nil
		}
	}
	srv, err := serve.New(serve.Options{
		Printer:         newPrinter,
		BaseDir:         su.dir,
		Port:            -1,
		SafeMode:        su.safeMode,
		Origins:         sources,
		Console:         console,
		ShutdownTimeout: cmp.Or(su.shutdownTimeout, deadline),
		AllowedHosts:    su.allowedHosts,
		Restartable:     su.restartable,
		Now:             su.now,
	})
	if err != nil {
		t.Fatalf("serve.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{
		t: t, srv: srv, dir: su.dir, key: srv.APIKey(), console: console, printer: fake,
		client: &http.Client{Transport: &http.Transport{}, Timeout: deadline},
		cancel: cancel, done: make(chan struct{}),
	}
	for _, defs := range []map[string]*tentacle.Definition{su.plugins, su.bundled} {
		if d, ok := defs[demo.ID]; ok {
			h.demo = d.Implementation.(*demo.Demo)
		}
	}
	go func() {
		defer close(h.done)
		h.runErr = srv.Run(ctx)
	}()
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-srv.Ready():
	case <-h.done:
		t.Fatalf("Run returned before serving: %v", h.runErr)
	case <-time.After(deadline):
		t.Fatal("the server did not become ready")
	}
	h.url = "http://" + srv.Addr()
	return h
}

// stop stops the server (once) and returns Run's error.
func (h *harness) stop() error {
	h.t.Helper()
	h.stopped.Do(func() {
		h.cancel()
		select {
		case <-h.done:
		case <-time.After(2 * deadline):
			h.t.Fatal("Run did not return after the context was cancelled")
		}
		h.client.CloseIdleConnections()
	})
	return h.runErr
}

// response is an answer of the server.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorMessage returns the "error" of a JSON error answer.
func (r response) errorMessage() string {
	var e struct{ Error string }
	_ = json.Unmarshal(r.body, &e)
	return e.Error
}

// do sends a request with the API key key ("" for none). body is nil, a
// string sent as it is, or a value sent as JSON; both get the content type
// application/json unless header sets one. A "Host" in header is sent as
// the request's Host header.
func (h *harness) do(method, path, key string, body any, header ...string) response {
	h.t.Helper()
	return h.send(h.client, method, path, key, body, header...)
}

// send is do with another client (one with a cookie jar: a browser).
func (h *harness) send(client *http.Client, method, path, key string, body any, header ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("marshal request body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatalf("NewRequest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if http.CanonicalHeaderKey(header[i]) == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// getJSON GETs path, expects 200 and decodes the answer into v.
func (h *harness) getJSON(path string, v any) {
	h.t.Helper()
	r := h.do(http.MethodGet, path, "", nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET %s: status %d, want 200: %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		h.t.Fatalf("GET %s: decode %s: %v", path, r.body, err)
	}
}

// path returns a path inside the base directory.
func (h *harness) path(elem ...string) string {
	return filepath.Join(append([]string{h.dir}, elem...)...)
}

// calls returns the lines of demo's calls.log.
func (h *harness) calls() []string { return readCalls(h.t, h.dir) }

func readCalls(t testing.TB, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "data", demo.ID, "calls.log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// eventually polls cond until it holds, failing the test at the deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readConfig reads config.yaml of a base directory.
func readConfig(t testing.TB, dir string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(readFile(t, filepath.Join(dir, "config.yaml")), &m); err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	return m
}

// dig returns the value at a dotted path of nested maps, if any.
func dig(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// syncBuffer is a buffer safe for concurrent writes, for the console.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
