package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/server"
)

// hookedBlueprint is a plugin with a Blueprint and routes of the routes
// hook: the routes answer "route <path>", the Blueprint "blueprint <path>".
type hookedBlueprint struct{}

// Handler answers "blueprint <path>" after reading the body; a read that
// fails is answered 400 with its error.
func (*hookedBlueprint) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "read: "+err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, "blueprint "+r.URL.Path)
	})
}

// echoRoute answers "<what> <path> <value of {name}>", after reading the
// body: "read <n>" or the read's error.
func echoRoute(what string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil {
				http.Error(w, "read: "+err.Error(), http.StatusBadRequest)
				return
			}
			if n > 0 {
				fmt.Fprintf(w, "read %d ", n)
			}
		}
		fmt.Fprint(w, what+" "+r.URL.Path+" "+r.PathValue("name"))
	})
}

// TestServerHookRoutes: the routes of the routes hook answer under
// /plugin/<id>/ without the API key (even with a wrong one), ahead of the
// plugin's Blueprint and with /plugin/<id> stripped; a route with an
// invalid or conflicting pattern is skipped and logged; a handler that
// panics is the plugin's fault and the server serves on; a panic in a
// route answers 500; a plugin that is only a routes hook serves, and keeps
// its routes when disabled until the restart.
func TestServerHookRoutes(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		"hooked": {Name: "Hooked", Version: "1.0.0", Implementation: &hookedBlueprint{}, Hooks: tentacle.Hooks{
			server.HookHTTPRoutes: server.RoutesHook(func() []server.Route {
				return []server.Route{
					{Path: "download/", Handler: echoRoute("route")},
					{Path: "GET files/{name}", Handler: echoRoute("file")},
					{Path: "POST /upload", Handler: echoRoute("upload")},
					{Path: "bad/{x", Handler: echoRoute("bad")},
					{Path: "download/", Handler: echoRoute("twice")},
					{Path: "boom", Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("route boom on purpose") })},
				}
			}),
		}},
		"onlyroutes": {Name: "Only routes", Version: "1.0.0", Hooks: tentacle.Hooks{
			"octoprint.server.http.routes": server.RoutesHook(func() []server.Route {
				return []server.Route{{Path: "ping", Handler: echoRoute("pong")}}
			}),
		}},
		"panicky": {Name: "Panicky", Version: "1.0.0", Implementation: &hookedBlueprint{}, Hooks: tentacle.Hooks{
			server.HookHTTPRoutes: server.RoutesHook(func() []server.Route { panic("routes hook boom on purpose") }),
		}},
	}})
	for _, tc := range []struct {
		name, method, path, key string
		status                  int
		body                    string
	}{
		{"route without key", "GET", "/plugin/hooked/download/x", "", 200, "route /download/x "},
		{"route with a wrong key", "GET", "/plugin/hooked/download/x", "wrong", 200, "route /download/x "},
		{"path value", "GET", "/plugin/hooked/files/a.gcode", "", 200, "file /files/a.gcode a.gcode"},
		{"post without key", "POST", "/plugin/hooked/upload", "", 200, "upload /upload "},
		{"blueprint behind", "GET", "/plugin/hooked/other", "", 200, "blueprint /other"},
		{"method not routed goes to blueprint", "GET", "/plugin/hooked/upload", "", 200, "blueprint /upload"},
		{"invalid pattern skipped", "GET", "/plugin/hooked/bad/{x", "", 200, "blueprint /bad/{x"},
		{"route panics", "GET", "/plugin/hooked/boom", "", 500, ""},
		{"routes hook only", "GET", "/plugin/onlyroutes/ping", "", 200, "pong /ping "},
		{"panicking hook serves its blueprint", "GET", "/plugin/panicky/download/x", "", 200, "blueprint /download/x"},
		{"server serves on", "GET", "/api/version", "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = ""
			}
			r := h.do(tc.method, tc.path, tc.key, body)
			if r.status != tc.status || (tc.body != "" && string(r.body) != tc.body) {
				t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, r.status, r.body, tc.status, tc.body)
			}
		})
	}
	log := h.console.String()
	for _, want := range []string{"bad/{x", `route \"download/\"`} {
		if !strings.Contains(log, "plugin route skipped") || !strings.Contains(log, want) {
			t.Errorf("the log does not tell of the skipped route %s:\n%s", want, log)
		}
	}
	m := h.srv.Manager()
	in, _ := m.Info("panicky")
	if in.Faults != 1 || !strings.Contains(in.LastFault, "routes hook boom on purpose") {
		t.Errorf("panicky: faults %d, last %q; want the routes hook's panic", in.Faults, in.LastFault)
	}
	in, _ = m.Info("hooked")
	if in.Faults != 1 || !strings.Contains(in.LastFault, "route boom on purpose") {
		t.Errorf("hooked: faults %d, last %q; want the route's panic", in.Faults, in.LastFault)
	}

	// Disabled while the server runs, a restart-needing plugin's disable
	// waits for the restart: its routes stay until then.
	if _, err := m.Disable(context.Background(), "onlyroutes"); err != nil {
		t.Fatalf("disable onlyroutes: %v", err)
	}
	if in, _ := m.Info("onlyroutes"); !in.PendingDisable {
		t.Errorf("onlyroutes: pending disable %v, want true", in.PendingDisable)
	}
	if r := h.do("GET", "/plugin/onlyroutes/ping", "", nil); r.status != 200 || string(r.body) != "pong /ping " {
		t.Errorf("after the disable: %d %q, want the route until the restart", r.status, r.body)
	}
}

// TestServerHookBodySize: the body size hook sets the largest body of
// requests under /plugin/<id>/ by method and path prefix, the longest
// prefix winning, for the hook's routes and the Blueprint alike; a body
// over it gets 413 (by its length before the handler runs; the handler's
// read fails when the length is not known), one under it reaches the
// handler; without an entry, the hook's routes and the Blueprint take
// server.maxSize (here 100 bytes; 100 KiB by default).
func TestServerHookBodySize(t *testing.T) {
	h := start(t, setup{config: "server:\n  maxSize: 100\n", plugins: map[string]*tentacle.Definition{
		"sized": {Name: "Sized", Version: "1.0.0", Implementation: &hookedBlueprint{}, Hooks: tentacle.Hooks{
			server.HookHTTPRoutes: server.RoutesHook(func() []server.Route {
				return []server.Route{{Path: "small/", Handler: echoRoute("route")}, {Path: "other", Handler: echoRoute("route")}}
			}),
			server.HookHTTPBodySize: server.BodySizeHook(func() []server.BodySize {
				return []server.BodySize{
					{Method: "POST", Path: "small", MaxBytes: 10},
					{Method: "post", Path: "/small/big", MaxBytes: 2 << 20},
					{Method: "PUT", Path: "", MaxBytes: 5},
					{Method: "POST", Path: "bpsmall", MaxBytes: 4},
				}
			}),
		}},
	}})
	big := strings.Repeat("x", 1<<20+1)
	for _, tc := range []struct {
		name, method, path, body string
		chunked                  bool
		status                   int
	}{
		{"under the limit", "POST", "/plugin/sized/small/a", "0123456789", false, 200},
		{"over the limit", "POST", "/plugin/sized/small/a", "0123456789a", false, 413},
		{"over the limit, chunked", "POST", "/plugin/sized/small/a", "0123456789a", true, 400},
		{"longest prefix", "POST", "/plugin/sized/small/big/a", big, false, 200},
		{"other method", "PUT", "/plugin/sized/small/a", "0123456", false, 413},
		{"default holds", "POST", "/plugin/sized/other", big, false, 413},
		{"default under", "POST", "/plugin/sized/other", strings.Repeat("x", 100), false, 200},
		{"default over", "POST", "/plugin/sized/other", strings.Repeat("x", 101), false, 413},
		{"blueprint over its entry", "POST", "/plugin/sized/bpsmall", "01234", false, 413},
		{"blueprint default under", "POST", "/plugin/sized/bp", strings.Repeat("x", 100), false, 200},
		{"blueprint default over", "POST", "/plugin/sized/bp", strings.Repeat("x", 101), false, 413},
		{"blueprint default over, chunked", "POST", "/plugin/sized/bp", strings.Repeat("x", 101), true, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rd io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				rd = io.MultiReader(rd) // no length: sent chunked
			}
			req, err := http.NewRequest(tc.method, h.url+tc.path, rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Api-Key", h.key) // the Blueprint's POSTs need it
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s with %d bytes: %d %q, want %d", tc.method, tc.path, len(tc.body), resp.StatusCode, data, tc.status)
			}
			if tc.chunked && !strings.Contains(string(data), "request body too large") {
				t.Errorf("chunked: the handler read %q, want the limit's error", data)
			}
		})
	}
}

// TestServerHookPermissions: GET /api/access/permissions lists the
// server's permissions and those of the permissions hook, as OctoPrint
// names them, without the API key; a permission with a bad key is skipped.
func TestServerHookPermissions(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		"perms": {Name: "Permissive", Version: "1.0.0", Hooks: tentacle.Hooks{
			"octoprint.access.permissions": server.PermissionsHook(func() []server.Permission {
				return []server.Permission{
					{Key: "admin", Name: "Admin", Description: "Lets you do things", Roles: []string{"admin", "check"}, Dangerous: true, DefaultGroups: []string{"admins"}},
					{Key: "bad key", Name: "Bad"},
				}
			}),
		}},
	}})
	var got struct {
		Permissions []map[string]any `json:"permissions"`
	}
	h.getJSON("/api/access/permissions", &got)
	byKey := map[string]map[string]any{}
	for _, p := range got.Permissions {
		byKey[p["key"].(string)] = p
	}
	want := map[string]any{
		"key": "PLUGIN_PERMS_ADMIN", "name": "Permissive: Admin", "description": "Lets you do things",
		"dangerous": true, "default_groups": []any{"admins"},
		"needs":  map[string]any{"role": []any{"plugin_perms_admin", "plugin_perms_check"}},
		"plugin": "perms",
	}
	if p := byKey["PLUGIN_PERMS_ADMIN"]; !reflect.DeepEqual(p, want) {
		t.Errorf("PLUGIN_PERMS_ADMIN = %v, want %v", p, want)
	}
	if p := byKey["ADMIN"]; p == nil || p["plugin"] != nil {
		t.Errorf("the server's ADMIN = %v", p)
	}
	if len(got.Permissions) != 2 {
		t.Errorf("permissions %v, want ADMIN and PLUGIN_PERMS_ADMIN", got.Permissions)
	}
	if log := h.console.String(); !strings.Contains(log, "plugin permission skipped") {
		t.Errorf("the log does not tell of the skipped permission:\n%s", log)
	}
}

// TestServerMaxSizeNotANumber: a server.maxSize that is not a positive
// number of bytes is logged, and the default (100 KiB) applies.
func TestServerMaxSizeNotANumber(t *testing.T) {
	h := start(t, setup{config: "server:\n  maxSize: -5\n", plugins: map[string]*tentacle.Definition{
		"sized": {Name: "Sized", Version: "1.0.0", Implementation: &hookedBlueprint{}},
	}})
	for _, tc := range []struct {
		size, status int
	}{{serve.DefaultPluginMaxBody, 200}, {serve.DefaultPluginMaxBody + 1, 413}} {
		if r := h.do(http.MethodPost, "/plugin/sized/bp", h.key, strings.Repeat("x", tc.size)); r.status != tc.status {
			t.Errorf("a body of %d bytes: %d, want %d", tc.size, r.status, tc.status)
		}
	}
	if !bytes.Contains(readFile(t, h.path("logs/tentacle.log")), []byte("server.maxSize is -5, not a positive number of bytes")) {
		t.Error("tentacle.log does not say why server.maxSize was ignored")
	}
}
