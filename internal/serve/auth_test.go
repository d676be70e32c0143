package serve_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/server"
)

// open is a plugin whose routes check access themselves
// (server.BlueprintUnprotected): they answer with the key they were sent.
type open struct{ tentacle.Base }

func (*open) BlueprintUnprotected() {}

func (*open) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "open got "+r.Header.Get("X-Api-Key"))
	})
}

var (
	_ server.Blueprint            = (*open)(nil)
	_ server.BlueprintUnprotected = (*open)(nil)
)

// A request with a wrong API key is answered 403 with a JSON error on
// every endpoint, whatever the method: a wrong key is never taken for
// none. Without a key, reads get what anybody may see. Routes of a plugin
// that checks access itself get the request as it was sent.
func TestWrongKeyIsRefusedEverywhere(t *testing.T) {
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		demo.ID: demo.New(),
		"open":  {Name: "Open", Implementation: &open{}},
	}})
	paths := []struct {
		path  string
		noKey int // the status without a key
	}{
		{"/api/version", 200},
		{"/api/server", 200},
		{"/api/settings", 200},
		{"/api/plugin/demo", 200},
		{"/api/socket", 426}, // not a websocket request
		{"/api/nothing", 404},
		{"/plugin/demo/hello", 200},
		{"/plugin/demo/static/js/demo.js", 200},
		{"/plugin/pluginmanager/plugins", 200},
		{"/plugin/nope/hello", 404},
		{"/", 200},
		{"/nothing", 404},
	}
	keys := []struct {
		name   string
		header []string
	}{
		{"X-Api-Key", []string{"X-Api-Key", "wrong"}},
		{"Authorization", []string{"Authorization", "Bearer wrong"}},
	}
	for _, p := range paths {
		t.Run(strings.TrimPrefix(p.path, "/"), func(t *testing.T) {
			if r := h.do("GET", p.path, "", nil); r.status != p.noKey {
				t.Errorf("GET %s without a key: %d, want %d: %s", p.path, r.status, p.noKey, r.body)
			}
			for _, k := range keys {
				for _, method := range []string{"GET", "HEAD", "POST"} {
					r := h.do(method, p.path, "", nil, k.header...)
					if r.status != http.StatusForbidden || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
						t.Errorf("%s %s with a wrong key in %s: %d %q, want 403 JSON", method, p.path, k.name, r.status, r.header.Get("Content-Type"))
					}
					if method != "HEAD" && r.errorMessage() != "wrong API key" {
						t.Errorf("%s %s with a wrong key in %s: %s, want the error \"wrong API key\"", method, p.path, k.name, r.body)
					}
				}
			}
		})
	}
	t.Run("plugin that checks access itself", func(t *testing.T) {
		for _, method := range []string{"GET", "POST"} {
			r := h.do(method, "/plugin/open/anything", "wrong", nil)
			if r.status != http.StatusOK || string(r.body) != "open got wrong" {
				t.Errorf("%s /plugin/open/anything with a wrong key: %d %s, want the plugin's own answer", method, r.status, r.body)
			}
		}
	})
}
