package serve_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
)

func TestVersion(t *testing.T) {
	h := start(t, setup{})
	var got serve.VersionInfo
	h.getJSON("/api/version", &got)
	want := serve.VersionInfo{API: tentacle.APIVersion, Server: serve.Version, Text: "Tentacle " + serve.Version}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /api/version (-want +got):\n%s", diff)
	}
}

func TestUnknownAPIEndpoint(t *testing.T) {
	h := start(t, setup{})
	r := h.do(http.MethodGet, "/api/nothing", "", nil)
	if r.status != http.StatusNotFound || !strings.Contains(r.errorMessage(), "/api/nothing") {
		t.Errorf("GET /api/nothing: %d %s, want 404 naming the path", r.status, r.body)
	}
}

func TestServerInfoNormalStart(t *testing.T) {
	h := start(t, setup{})
	var got map[string]any
	h.getJSON("/api/server", &got)
	for _, k := range []string{"safemode", "config_error"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("/api/server %s = %v (present %v), want null", k, v, ok)
		}
	}
	if q, ok := got["quarantined"].([]any); !ok || len(q) != 0 {
		t.Errorf("/api/server quarantined = %#v, want []", got["quarantined"])
	}
	if got["version"] != serve.Version {
		t.Errorf("/api/server version = %v, want %s", got["version"], serve.Version)
	}
}

// The web page includes the enabled plugins' assets and lists the plugins
// (not the hidden Plugin Manager) to an administrator; a guest gets the
// sign-in form alone.
func TestIndexPage(t *testing.T) {
	h := start(t, setup{})
	for _, tc := range []struct {
		name      string
		key       string
		want, not []string
	}{{
		name: "admin",
		key:  h.key,
		want: []string{
			`<script src="/plugin/demo/static/js/demo.js" defer>`,
			`<link rel="stylesheet" href="/plugin/demo/static/css/demo.css">`,
			`id="plugin-demo"`, "<h3>Demo <small>1.0.0</small></h3>",
		},
		not: []string{`id="plugin-pluginmanager"`, `id="signin"`},
	}, {
		name: "guest",
		want: []string{`id="signin"`},
		not:  []string{`id="plugin-demo"`, `id="plugins"`, "demo.js"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(http.MethodGet, "/", tc.key, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET /: %d", r.status)
			}
			for _, want := range tc.want {
				if !bytes.Contains(r.body, []byte(want)) {
					t.Errorf("GET / lacks %q:\n%s", want, r.body)
				}
			}
			for _, not := range tc.not {
				if bytes.Contains(r.body, []byte(not)) {
					t.Errorf("GET / has %q:\n%s", not, r.body)
				}
			}
		})
	}
}

func TestAPIKeyMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	first := start(t, setup{dir: dir})
	key := first.key
	if len(key) < 32 {
		t.Fatalf("API key %q: want at least 32 characters", key)
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	if got, _ := dig(readConfig(t, dir), "api.key"); got != key {
		t.Errorf("config.yaml api.key = %v, want %q", got, key)
	}
	if n := strings.Count(first.console.String(), key); n != 1 {
		t.Errorf("the first start printed the key %d times, want once:\n%s", n, first.console)
	}

	second := start(t, setup{dir: dir})
	if second.key != key {
		t.Errorf("second start: API key %q, want the kept %q", second.key, key)
	}
	if err := second.stop(); err != nil {
		t.Fatal(err)
	}
	if out := second.console.String(); strings.Contains(out, key) || strings.Contains(out, "API key") {
		t.Errorf("the second start printed the key again:\n%s", out)
	}
}

func TestStartupAndShutdownOrder(t *testing.T) {
	h := start(t, setup{})
	eventually(t, "after_startup in calls.log", func() bool { return len(h.calls()) == 2 })
	if diff := cmp.Diff([]string{"startup 127.0.0.1", "after_startup"}, h.calls()); diff != "" {
		t.Errorf("calls.log while serving (-want +got):\n%s", diff)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"startup 127.0.0.1", "after_startup", "shutdown"}, h.calls()); diff != "" {
		t.Errorf("calls.log after the stop (-want +got):\n%s", diff)
	}
	for _, f := range []string{serve.RunFile, ".incomplete_startup"} {
		if exists(h.path(f)) {
			t.Errorf("%s left after a clean stop", f)
		}
	}
}

func TestBaseDirectoryLayoutAndRunFile(t *testing.T) {
	h := start(t, setup{})
	for _, sub := range []string{"plugins", "packages", "data", "logs", "uploads"} {
		if fi, err := os.Stat(h.path(sub)); err != nil || !fi.IsDir() {
			t.Errorf("base directory lacks %s/: %v", sub, err)
		}
	}
	var ri serve.RunInfo
	if err := json.Unmarshal(readFile(t, h.path(serve.RunFile)), &ri); err != nil {
		t.Fatalf("%s: %v", serve.RunFile, err)
	}
	instance := serverInfo(t, h).Instance
	if want := (serve.RunInfo{URL: h.url, PID: os.Getpid(), Instance: instance}); ri != want || instance == "" {
		t.Errorf("%s = %+v, want %+v (the instance GET /api/server answers)", serve.RunFile, ri, want)
	}
}

// Two servers never run on one base directory.
func TestBaseDirectoryLock(t *testing.T) {
	h := start(t, setup{})
	_, err := serve.New(serve.Options{BaseDir: h.dir, Port: -1, Console: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "in use by process") {
		t.Fatalf("a second server on the same base directory: %v", err)
	}
	if _, err := os.Stat(h.path(serve.RunFile)); err != nil {
		t.Errorf("the refused second server touched the first one's run file: %v", err)
	}
}

func TestLogFile(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		demo.ID:  demo.New(),
		"talker": {Name: "Talker", Version: "1.0.0", Implementation: &talker{}},
	}})
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	log := string(readFile(t, h.path("logs", "tentacle.log")))
	for _, want := range [][]string{
		{`msg="hello from Initialize"`, "logger=tentacle.plugins.talker", "plugin=talker"},
		{"msg=stopped"},
	} {
		if !hasLine(log, want...) {
			t.Errorf("tentacle.log has no line with %q:\n%s", want, log)
		}
	}
}

// hasLine reports whether a line of text contains every one of parts.
func hasLine(text string, parts ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// talker is a plugin that logs in Initialize.
type talker struct{ tentacle.Base }

func (p *talker) Initialize() error {
	p.Logger().Info("hello from Initialize")
	return nil
}

func TestHandlerWithHTTPTest(t *testing.T) {
	h := start(t, setup{})
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	other := &harness{t: t, url: ts.URL, key: h.key, client: ts.Client()}
	apiCase{method: "GET", path: "/api/version", wantStatus: 200}.run(t, other)
	apiCase{method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "greet", "name": "Ada"},
		wantStatus: 200, wantBody: map[string]any{"greeting": "Hello, Ada"}}.run(t, other)
	apiCase{method: "POST", path: "/api/plugin/demo", body: map[string]any{"command": "greet", "name": "Ada"}, wantStatus: 401}.run(t, other)
}
