package serve_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/server"
)

// sayer is a plugin that sends a plugin message on command, a second
// sender beside demo: POST /api/plugin/sayer {"command": "say", "text": ...}.
type sayer struct{ tentacle.Base }

func (*sayer) APICommands() map[string][]string { return map[string][]string{"say": {"text"}} }

func (t *sayer) OnAPICommand(_ string, data map[string]any) (any, error) {
	server.Messages(t).SendPluginMessage(data["text"])
	return nil, nil
}

var _ server.SimpleAPI = (*sayer)(nil)

// withSayer starts a server with demo and sayer.
func withSayer(t *testing.T) *harness {
	return start(t, setup{plugins: map[string]*tentacle.Definition{
		demo.ID: demo.New(),
		"sayer": {Name: "Sayer", Version: "1.0.0", Implementation: &sayer{}},
	}})
}

// say makes sayer send text as a plugin message.
func say(t *testing.T, h *harness, text string) {
	t.Helper()
	if r := h.do("POST", "/api/plugin/sayer", h.key, map[string]any{"command": "say", "text": text}); r.status != http.StatusNoContent {
		t.Fatalf("say %s: %d %s", text, r.status, r.body)
	}
}

func pluginFrom(id string) func(map[string]any) bool {
	return func(v map[string]any) bool { return v["plugin"] == id }
}

func TestSockJSInfo(t *testing.T) {
	h := start(t, setup{})
	r := h.do("GET", "/sockjs/info", "", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /sockjs/info: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	checkFixture(t, "info", r.body)
	if r := h.do("GET", "/sockjs", "", nil); r.status != http.StatusOK || string(r.body) != "Welcome to SockJS!\n" {
		t.Errorf("GET /sockjs: %d %q, want SockJS's welcome", r.status, r.body)
	}
}

// Every transport starts with OctoPrint's connected message, and nothing
// in it is secret.
func TestSocketConnected(t *testing.T) {
	h := start(t, setup{})
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s := dialTransport(t, h, tr)
			checkFixture(t, "connected", s.next(t, "connected", nil))
			if raw := <-s.raw; strings.Contains(string(raw), h.key) {
				t.Errorf("the connected message holds the API key: %s", raw)
			}
		})
	}
	// plugin_hash follows the plugins that ship files for the web page.
	before := dialTransport(t, h, sockjsWS).next(t, "connected", nil)["plugin_hash"]
	toggle(t, h, "disable", "demo")
	if after := dialTransport(t, h, sockjsWS).next(t, "connected", nil)["plugin_hash"]; after == before {
		t.Errorf("plugin_hash %v did not change when demo (an Asset plugin) was disabled", after)
	}
}

// A client message never closes the socket: auth, throttle and subscribe
// are taken, anything else is ignored. Afterwards the client still
// authenticates and gets messages.
func TestSocketClientMessagesNeverClose(t *testing.T) {
	h := start(t, setup{})
	messages := []any{
		`not json`, `[1, 2]`, `42`, `"auth"`, `null`, `{}`,
		map[string]any{"unknown": 1},
		map[string]any{"auth": 42}, map[string]any{"auth": "nocolon"}, map[string]any{"auth": "a:b:c"}, map[string]any{"auth": nil},
		map[string]any{"throttle": 2}, map[string]any{"throttle": "3"}, map[string]any{"throttle": 2.7},
		map[string]any{"throttle": 0}, map[string]any{"throttle": -1}, map[string]any{"throttle": "fast"}, map[string]any{"throttle": 1e300},
		map[string]any{"subscribe": "all"}, map[string]any{"subscribe": map[string]any{"plugins": "demo"}},
		map[string]any{"subscribe": map[string]any{"state": map[string]any{"logs": "("}}},
		map[string]any{"subscribe": map[string]any{"events": []any{1}}},
		map[string]any{"subscribe": map[string]any{"state": map[string]any{"logs": "^Recv: ", "messages": false}, "plugins": true, "events": true}},
		map[string]any{"subscribe": map[string]any{"state": true, "plugins": []string{"demo"}, "events": false}},
		map[string]any{"subscribe": map[string]any{"plugins": true, "events": true}},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s := dialTransport(t, h, tr)
			s.next(t, "connected", nil)
			for _, m := range messages {
				s.send(m)
			}
			s.send(map[string]any{"auth": "_api:" + passiveLogin(t, h)})
			fire(t, h, tr.name)
			if got := s.next(t, "plugin", nil); got["plugin"] != "demo" {
				t.Errorf("plugin message %v, want demo's", got)
			}
		})
	}
}

// Before it authenticates, a SockJS client gets no plugin messages: they
// are kept and sent once it does. A session the server does not know (or
// another user's) is answered reauthRequired and ends the authentication;
// the socket stays open.
func TestSockJSAuth(t *testing.T) {
	h := start(t, setup{})
	session := passiveLogin(t, h)
	for _, tr := range sockjsOnly {
		t.Run(tr.name, func(t *testing.T) {
			s := dialTransport(t, h, tr)
			s.next(t, "connected", nil)
			// noPluginYet sends a bad session and waits for the answer: a
			// plugin message sent to the client before would be ahead of it.
			noPluginYet := func(bad string) {
				t.Helper()
				s.send(map[string]any{"auth": bad})
				if got := s.next(t, "reauthRequired", nil); got["reason"] != "stale" {
					t.Errorf("auth %s: reauthRequired %v, want reason stale", bad, got)
				}
				for _, m := range s.kept {
					if m["plugin"] != nil {
						t.Errorf("a client that has not authenticated got %v", m)
					}
				}
			}
			fire(t, h, "early") // the plugin message is kept before fire answers
			noPluginYet("_api:nosuchsession")
			s.send(map[string]any{"auth": "_api:" + session})
			s.next(t, "plugin", fired("early"))

			noPluginYet("ada:" + session) // another user's: ends the authentication
			fire(t, h, "while-out")
			noPluginYet("_api:nosuchsession")
			s.send(map[string]any{"auth": "_api:" + session})
			s.next(t, "plugin", fired("while-out"))
		})
	}
}

// fired matches demo's plugin message of fire(name).
func fired(name string) func(map[string]any) bool {
	return func(v map[string]any) bool {
		data, _ := v["data"].(map[string]any)
		return v["plugin"] == "demo" && data["fired"] == name
	}
}

// subscribe filters events and plugin messages: the client gets the events
// it names and the plugins it names, nothing else.
func TestSocketSubscribe(t *testing.T) {
	h := withSayer(t)
	session := passiveLogin(t, h)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s := dialTransport(t, h, tr)
			s.next(t, "connected", nil)
			if tr.open { // its own ClientOpened arrives before the subscribe is taken
				s.next(t, "event", eventType(server.EventClientOpened))
			}
			s.send(map[string]any{"subscribe": map[string]any{"plugins": []string{"sayer"}, "events": []string{"plugin_demo_x"}}})
			// A bad session is answered after the subscribe was taken.
			s.send(map[string]any{"auth": "_api:nosuchsession"})
			s.next(t, "reauthRequired", nil)
			fire(t, h, "y") // event and demo message: not subscribed
			say(t, h, "early")
			s.send(map[string]any{"auth": "_api:" + session})
			s.next(t, "plugin", pluginFrom("sayer")) // authenticated from here on
			fire(t, h, "z")
			fire(t, h, "x")
			say(t, h, "late")
			s.next(t, "event", eventType("plugin_demo_x"))
			s.next(t, "plugin", func(v map[string]any) bool { return v["data"] == "late" })
			for _, m := range s.kept {
				if _, ok := m["history"]; ok && tr.name == "api-socket" {
					continue // a client with the API key is authenticated, and subscribed to everything, until its subscribe
				}
				t.Errorf("got %v, which the client did not subscribe to", m)
			}
		})
	}
}

// The socket's Host check is the server's: a foreign Host is refused with
// 403 on every SockJS path; a page of another origin cannot open the
// websockets nor read the HTTP transports (no CORS headers); JSONP and the
// iframe page are not offered.
func TestSockJSHostAndOrigin(t *testing.T) {
	h := start(t, setup{})
	for _, p := range []string{"/sockjs/info", "/sockjs/000/s1/xhr", "/sockjs/000/s1/websocket", "/sockjs/websocket", "/api/socket"} {
		if got := dialStatus(t, h, p, "evil.example", ""); got != http.StatusForbidden {
			t.Errorf("%s with Host evil.example: %d, want 403", p, got)
		}
	}
	for _, p := range []string{"/sockjs/000/s2/websocket", "/sockjs/websocket", "/api/socket"} {
		if got := dialStatus(t, h, p, "", "http://evil.example"); got != http.StatusForbidden {
			t.Errorf("websocket %s from origin evil.example: %d, want 403", p, got)
		}
		if got := dialStatus(t, h, p, "", h.url); got != http.StatusSwitchingProtocols {
			t.Errorf("websocket %s from the server's origin: %d, want 101", p, got)
		}
	}
	if r := h.do("GET", "/sockjs/info", "", nil, "Origin", "http://evil.example"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("info for origin evil.example has CORS headers: %v", r.header)
	}
	if r := h.do("GET", "/sockjs/info", "", nil, "Origin", h.url); r.header.Get("Access-Control-Allow-Origin") != h.url {
		t.Errorf("info for the server's origin: Access-Control-Allow-Origin %q, want %q", r.header.Get("Access-Control-Allow-Origin"), h.url)
	}
	for _, p := range []string{"/sockjs/000/s3/jsonp?c=cb", "/sockjs/000/s3/jsonp_send", "/sockjs/iframe.html", "/sockjs/iframe-0.3.4.html"} {
		method := "GET"
		if strings.HasSuffix(p, "send") {
			method = "POST"
		}
		if r := h.do(method, p, "", nil); r.status != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", method, p, r.status)
		}
	}
}

// dialStatus opens a websocket (paths ending in websocket or socket) or
// sends a plain request for path, with the given Host and Origin ("" for
// the defaults), and returns the status of the answer (101 for an
// accepted websocket).
func dialStatus(t *testing.T, h *harness, path, host, origin string) int {
	t.Helper()
	if !strings.HasSuffix(path, "socket") {
		method := "GET"
		if strings.HasSuffix(path, "/xhr") {
			method = "POST"
		}
		var header []string
		if host != "" {
			header = append(header, "Host", host)
		}
		if origin != "" {
			header = append(header, "Origin", origin)
		}
		return h.do(method, path, "", nil, header...).status
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	opts := &websocket.DialOptions{HTTPClient: h.client, Host: host, HTTPHeader: http.Header{}}
	if origin != "" {
		opts.HTTPHeader.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.url, "http")+path, opts)
	if err == nil {
		conn.Close(websocket.StatusNormalClosure, "")
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	return resp.StatusCode
}
