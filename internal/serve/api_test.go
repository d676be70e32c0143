package serve_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
)

// apiCase is one request and what its answer must be.
type apiCase struct {
	name        string
	method      string
	path        string
	key         string // "good" for the server's key, "" for none, else sent as is
	body        any
	contentType string
	wantStatus  int
	// wantBody, if set, is the exact JSON answer.
	wantBody map[string]any
	// wantError, if set, must be in the error message.
	wantError string
	// plain: the answer comes from a handler that answers errors in plain
	// text (a plugin's own mux, a file server), not the server's JSON.
	plain bool
}

// run sends the case's request and checks the answer.
func (c apiCase) run(t *testing.T, h *harness) response {
	t.Helper()
	key := c.key
	if key == "good" {
		key = h.key
	}
	var header []string
	if c.contentType != "" {
		header = []string{"Content-Type", c.contentType}
	}
	r := h.do(c.method, c.path, key, c.body, header...)
	if r.status != c.wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, r.status, c.wantStatus, r.body)
	}
	if c.wantBody != nil {
		var got map[string]any
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatalf("answer %s: %v", r.body, err)
		}
		if diff := cmp.Diff(c.wantBody, got); diff != "" {
			t.Errorf("answer (-want +got):\n%s", diff)
		}
	}
	if c.wantError != "" && !strings.Contains(r.errorMessage(), c.wantError) {
		t.Errorf("error %q, want it to contain %q", r.errorMessage(), c.wantError)
	}
	if c.wantStatus >= 400 && !c.plain && r.errorMessage() == "" {
		t.Errorf("error answer without a message: %s", r.body)
	}
	return r
}

func TestSimpleAPI(t *testing.T) {
	h := start(t, setup{})
	greet := map[string]any{"command": "greet", "name": "Ada"}
	for _, c := range []apiCase{
		{name: "get with query", method: "GET", path: "/api/plugin/demo?who=Ada", wantStatus: 200, wantBody: map[string]any{"hello": "Ada"}},
		{name: "get needs no key", method: "GET", path: "/api/plugin/demo", wantStatus: 200, wantBody: map[string]any{"hello": ""}},
		{name: "greet", method: "POST", path: "/api/plugin/demo", key: "good", body: greet, wantStatus: 200, wantBody: map[string]any{"greeting": "Hello, Ada"}},
		{name: "json with charset", method: "POST", path: "/api/plugin/demo", key: "good", body: greet, contentType: "application/json; charset=utf-8", wantStatus: 200},
		{name: "missing key", method: "POST", path: "/api/plugin/demo", body: greet, wantStatus: 401, wantError: "API key"},
		{name: "wrong key", method: "POST", path: "/api/plugin/demo", key: "not-the-key", body: greet, wantStatus: 403, wantError: "wrong API key"},
		{name: "missing command", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"name": "Ada"}, wantStatus: 400, wantError: `"command"`},
		{name: "command not a string", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": 3}, wantStatus: 400, wantError: `"command"`},
		{name: "missing parameter", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "greet"}, wantStatus: 400, wantError: `parameter "name"`},
		{name: "unknown command", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "dance"}, wantStatus: 404, wantError: `"dance"`},
		{name: "unknown plugin get", method: "GET", path: "/api/plugin/nope", wantStatus: 404, wantError: `"nope"`},
		{name: "unknown plugin post", method: "POST", path: "/api/plugin/nope", key: "good", body: greet, wantStatus: 404, wantError: `"nope"`},
		{name: "api error status", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "fail"}, wantStatus: 409, wantBody: map[string]any{"error": "cannot do that now"}},
		{name: "result not JSON", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "unencodable"}, wantStatus: 500, wantError: "cannot be encoded as JSON"},
		{name: "result with its status", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "accepted"}, wantStatus: 202, wantBody: map[string]any{"queued": true}},
		{name: "nil result", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "nothing"}, wantStatus: 204},
		{name: "not json", method: "POST", path: "/api/plugin/demo", key: "good", body: "command=greet", contentType: "application/x-www-form-urlencoded", wantStatus: 415, wantError: "JSON"},
		{name: "invalid json", method: "POST", path: "/api/plugin/demo", key: "good", body: `{"command": `, wantStatus: 400, wantError: "not valid JSON"},
		{name: "empty body", method: "POST", path: "/api/plugin/demo", key: "good", body: "", wantStatus: 400, wantError: "empty"},
		{name: "two values", method: "POST", path: "/api/plugin/demo", key: "good", body: `{"command":"nothing"} {}`, wantStatus: 400, wantError: "more than one"},
		{name: "not an object", method: "POST", path: "/api/plugin/demo", key: "good", body: `["greet"]`, wantStatus: 400},
		{name: "get without getter", method: "GET", path: "/api/plugin/pluginmanager", wantStatus: 405},
		{name: "other method", method: "PUT", path: "/api/plugin/demo", key: "good", body: greet, wantStatus: 405},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}

// typesBody is a SimpleAPI command with numbers of every kind, as sent;
// typesWant is what the "types" command of the test plugins answers for it:
// the Go types server.SimpleAPI promises (an integer as int, any other
// number, 5.0 included, as float64).
const typesBody = `{"command": "types", "n": 3, "f": 2.5, "w": 5.0, "e": 1e3, "neg": -7, "s": "3", "b": true,
	"null": null, "nested": {"n": 1, "f": 0.5}, "list": [1, 2.5, "x"]}`

var typesWant = map[string]any{
	"command": "string", "n": "int", "f": "float64", "w": "float64", "e": "float64", "neg": "int", "s": "string",
	"b": "bool", "null": "<nil>", "nested": map[string]any{"n": "int", "f": "float64"}, "list": []any{"int", "float64", "string"},
}

// The numbers of a SimpleAPI command reach a compiled-in plugin (demo)
// and a source plugin (the plugins folder's numbers) as the same Go types.
// (The process tier: TestPackagesEndToEnd and tier/process.)
func TestSimpleAPINumbers(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "numbers.go"), string(readFile(t, filepath.Join("testdata", "source", "numbers.go"))))
	h := start(t, setup{dir: dir, folder: true})
	for _, tc := range []struct{ plugin, tier string }{
		{"demo", "builtin"},
		{"numbers", "source"},
	} {
		t.Run(tc.tier, func(t *testing.T) {
			if in := pluginInfo(t, h, tc.plugin); !in.Enabled || in.Tier != tc.tier {
				t.Fatalf("%s: enabled %v, tier %q; want enabled, %s", tc.plugin, in.Enabled, in.Tier, tc.tier)
			}
			apiCase{method: "POST", path: "/api/plugin/" + tc.plugin, key: "good", body: typesBody, wantStatus: 200, wantBody: typesWant}.run(t, h)
		})
	}
}

func TestSimpleAPIAuthorizationHeader(t *testing.T) {
	h := start(t, setup{})
	r := h.do("POST", "/api/plugin/demo", "", map[string]any{"command": "greet", "name": "Ada"}, "Authorization", "Bearer "+h.key)
	if r.status != http.StatusOK {
		t.Errorf("POST with Authorization: Bearer <key>: %d %s, want 200", r.status, r.body)
	}
}

func TestWrongKeyChangesNothing(t *testing.T) {
	h := start(t, setup{})
	before := readFile(t, h.path("config.yaml"))
	for _, key := range []string{"", "wrong"} {
		r := h.do("POST", "/api/plugin/pluginmanager", key, map[string]any{"command": "disable", "plugin": "demo"})
		if r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
			t.Errorf("disable with key %q: %d, want 401 or 403", key, r.status)
		}
	}
	if in := pluginInfo(t, h, "demo"); !in.Enabled {
		t.Errorf("demo disabled by a request without the right key: %+v", in)
	}
	if r := h.do("GET", "/plugin/demo/hello", "", nil); r.status != http.StatusOK {
		t.Errorf("GET /plugin/demo/hello after refused disables: %d", r.status)
	}
	if after := readFile(t, h.path("config.yaml")); !bytes.Equal(before, after) {
		t.Errorf("config.yaml changed by refused requests:\n%s\n---\n%s", before, after)
	}
}

// boomer is a source plugin whose command panics.
const boomer = `package boomer

import "github.com/tentacle-go/tentacle"

type B struct{ tentacle.Base }

func (*B) APICommands() map[string][]string { return map[string][]string{"boom": nil} }

func (*B) OnAPICommand(command string, data map[string]any) (any, error) {
	panic("boom on purpose")
}

var Plugin = tentacle.Definition{Name: "Boomer", Version: "1.0.0", Implementation: &B{}}
`

// A fault of a plugin's SimpleAPI is recorded as the manager records a
// panic: for a source plugin, with where in its own file it happened.
func TestPluginFaultLocated(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "boomer.go"), boomer)
	h := start(t, setup{dir: dir, folder: true})
	apiCase{method: "POST", path: "/api/plugin/boomer", key: "good", body: map[string]any{"command": "boom"}, wantStatus: 500, wantError: "boomer"}.run(t, h)
	in := pluginInfo(t, h, "boomer")
	if in.Faults != 1 || !strings.Contains(in.LastFault, "call OnAPICommand boom: panic: boom on purpose at ") ||
		!strings.Contains(in.LastFault, "boomer.go:") {
		t.Errorf("boomer: faults %d, last %q; want 1, the command's panic with its file and line", in.Faults, in.LastFault)
	}
}

func TestPluginFaultsAreCounted(t *testing.T) {
	h := start(t, setup{})
	for _, c := range []apiCase{
		{name: "api panic", method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "panic"}, wantStatus: 500, wantError: "demo"},
		{name: "blueprint panic", method: "GET", path: "/plugin/demo/panic", wantStatus: 500, wantError: "demo"},
	} {
		c.run(t, h)
	}
	in := pluginInfo(t, h, "demo")
	if in.Faults != 2 || !strings.Contains(in.LastFault, "blueprint panic on purpose") {
		t.Errorf("demo faults %d, last %q; want 2, the blueprint's panic", in.Faults, in.LastFault)
	}
	if !in.Enabled {
		t.Errorf("demo disabled by its faults")
	}
	// The server goes on answering, the plugin included.
	apiCase{method: "GET", path: "/plugin/demo/hello", wantStatus: 200}.run(t, h)
}

func TestBlueprint(t *testing.T) {
	h := start(t, setup{})
	for _, c := range []apiCase{
		{name: "get without key", method: "GET", path: "/plugin/demo/hello", wantStatus: 200},
		{name: "post without key", method: "POST", path: "/plugin/demo/echo", wantStatus: 401},
		{name: "post wrong key", method: "POST", path: "/plugin/demo/echo", key: "bad", wantStatus: 403},
		{name: "post with key", method: "POST", path: "/plugin/demo/echo", key: "good", wantStatus: 202},
		{name: "delete without key", method: "DELETE", path: "/plugin/demo/hello", wantStatus: 401},
		{name: "unknown route", method: "GET", path: "/plugin/demo/nothing", wantStatus: 404, plain: true},
		{name: "unknown plugin", method: "GET", path: "/plugin/nope/hello", wantStatus: 404, wantError: `"nope"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.run(t, h)
			if c.path == "/plugin/demo/hello" && r.status == 200 && string(r.body) != "hello from demo" {
				t.Errorf("body %q", r.body)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	h := start(t, setup{})
	js := h.do("GET", "/plugin/demo/static/js/demo.js", "", nil)
	if js.status != 200 || len(js.body) == 0 || !strings.Contains(js.header.Get("Content-Type"), "javascript") {
		t.Errorf("GET demo.js: %d %q %q", js.status, js.header.Get("Content-Type"), js.body)
	}
	css := h.do("GET", "/plugin/demo/static/css/demo.css", "", nil)
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET demo.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	for _, c := range []apiCase{
		{name: "missing file", method: "GET", path: "/plugin/demo/static/js/none.js", wantStatus: 404, wantError: "no static file"},
		{name: "directory", method: "GET", path: "/plugin/demo/static/js/", wantStatus: 404, wantError: "no static file"},
		{name: "escape", method: "GET", path: "/plugin/demo/static/../../../etc/passwd", wantStatus: 404},
		{name: "post", method: "POST", path: "/plugin/demo/static/js/demo.js", key: "good", body: "x", wantStatus: 405, wantError: "read-only"},
		{name: "put", method: "PUT", path: "/plugin/demo/static/js/demo.js", key: "good", body: "x", wantStatus: 405},
		{name: "delete", method: "DELETE", path: "/plugin/demo/static/js/demo.js", key: "good", wantStatus: 405},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}

// toggle enables or disables a plugin through the Plugin Manager.
func toggle(t *testing.T, h *harness, command, id string) manager.Change {
	t.Helper()
	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": command, "plugin": id})
	if r.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", command, id, r.status, r.body)
	}
	var res pluginmanager.Result
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Result || res.Change == nil {
		t.Fatalf("%s %s: %s", command, id, r.body)
	}
	return *res.Change
}

func TestRoutesMountedLive(t *testing.T) {
	h := start(t, setup{})
	eventually(t, "after_startup", func() bool { return slices.Contains(h.calls(), "after_startup") })
	routes := []string{"/plugin/demo/hello", "/api/plugin/demo", "/plugin/demo/static/js/demo.js"}
	status := func() []int {
		var out []int
		for _, p := range routes {
			out = append(out, h.do("GET", p, "", nil).status)
		}
		return out
	}
	index := func() string { return string(h.do("GET", "/", h.key, nil).body) }

	ch := toggle(t, h, "disable", "demo")
	if want := (manager.Change{Plugin: "demo", Action: "disable", Persisted: true, Applied: true, NeedsReload: true}); ch != want {
		t.Errorf("disable: %+v, want %+v", ch, want)
	}
	if diff := cmp.Diff([]int{404, 404, 404}, status()); diff != "" {
		t.Errorf("routes right after the disable (-want +got):\n%s", diff)
	}
	if strings.Contains(index(), "demo.js") {
		t.Errorf("the index page still includes demo.js after the disable")
	}

	ch = toggle(t, h, "enable", "demo")
	if want := (manager.Change{Plugin: "demo", Action: "enable", Persisted: true, Applied: true, NeedsReload: true}); ch != want {
		t.Errorf("enable: %+v, want %+v", ch, want)
	}
	if diff := cmp.Diff([]int{200, 200, 200}, status()); diff != "" {
		t.Errorf("routes right after the enable (-want +got):\n%s", diff)
	}
	if !strings.Contains(index(), "demo.js") {
		t.Errorf("the index page lacks demo.js after the enable")
	}
	eventually(t, "after_startup of the runtime enable", func() bool { return len(h.calls()) == 4 })
	want := []string{"startup 127.0.0.1", "after_startup", "startup 127.0.0.1", "after_startup"}
	if diff := cmp.Diff(want, h.calls()); diff != "" {
		t.Errorf("calls.log (-want +got):\n%s", diff)
	}
}
