package serve_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// OctoPrint's JavaScript client (socket.js over the SockJS client) reads
// each message of a SockJS frame as an object: its handlers are called by
// the message's keys (it iterates msg.data), so a message sent as a JSON
// string, a["{\"connected\":...}"], reaches none of them. These tests
// replay what the client does, as recorded from OctoPrint's client in a
// browser, and check what it reads.

// objects decodes the messages of a SockJS message frame, failing unless
// each is a JSON object.
func objects(t *testing.T, frame string) []map[string]json.RawMessage {
	t.Helper()
	if !strings.HasPrefix(frame, "a[") {
		t.Fatalf("frame %q is not a message frame", frame)
	}
	var msgs []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(frame[1:]), &msgs); err != nil {
		t.Fatalf("frame %.200s: %v, want an array of JSON objects", frame, err)
	}
	return msgs
}

// The client's websocket: GET /sockjs/info?t=..., then
// /sockjs/<3 digits>/<8 characters>/websocket from the server's page; it
// sends its auth and throttle messages as arrays of one string.
func TestOctoPrintClientSockJSWebsocket(t *testing.T) {
	h := start(t, setup{})
	if r := h.do("GET", "/sockjs/info?t=1796472995486", "", nil); r.status != http.StatusOK {
		t.Fatalf("GET /sockjs/info: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.url, "http")+"/sockjs/061/e4zp4uor/websocket",
		&websocket.DialOptions{HTTPClient: h.client, HTTPHeader: http.Header{"Origin": {h.url}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	// next returns the next message frame's first message with key.
	next := func(key string) json.RawMessage {
		t.Helper()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %q: %v", key, err)
			}
			if len(data) == 0 || data[0] != 'a' {
				continue
			}
			for _, m := range objects(t, string(data)) {
				if v, ok := m[key]; ok {
					return v
				}
			}
		}
	}
	send := func(frame string) {
		t.Helper()
		if err := conn.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	var connected struct{ Version string }
	if err := json.Unmarshal(next("connected"), &connected); err != nil || connected.Version == "" {
		t.Errorf("connected: %+v %v, want the server's version", connected, err)
	}
	send(`["{\"auth\":\"_api:` + passiveLogin(t, h) + `\"}"]`)
	send(`["{\"throttle\":2}"]`)
	send(`["{\"throttle\":1}"]`)
	fire(t, h, "octoclient")
	var plugin struct{ Plugin string }
	if err := json.Unmarshal(next("plugin"), &plugin); err != nil || plugin.Plugin != "demo" {
		t.Errorf("plugin message: %+v %v, want demo's", plugin, err)
	}
}

// The SockJS client's HTTP fallbacks carry the same frames: each message
// of a frame is an object, whatever the transport's envelope.
func TestOctoPrintClientSockJSFallbacks(t *testing.T) {
	h := start(t, setup{})
	// The sessions end 5 s after their last request; the leak check
	// after the tests wants them gone.
	defer func() {
		for _, tr := range []string{"xhr", "xhr_streaming", "eventsource", "htmlfile"} {
			x := xhrSession{h: h, base: "/sockjs/000/" + tr}
			eventually(t, tr+": the session ends", func() bool { return x.post("xhr_send", `[]`).status == http.StatusNotFound })
		}
	}()
	for _, tc := range []struct {
		transport, method, query string
		frame                    func(line string) (string, bool)
	}{
		{"xhr", "POST", "", func(l string) (string, bool) { return l, true }},
		{"xhr_streaming", "POST", "", func(l string) (string, bool) { return l, true }},
		{"eventsource", "GET", "", func(l string) (string, bool) {
			return strings.CutPrefix(l, "data: ")
		}},
		{"htmlfile", "GET", "?c=_jp.abc", func(l string) (string, bool) {
			q, ok := strings.CutPrefix(l, "p(")
			var s string
			if !ok || json.Unmarshal([]byte(strings.TrimSuffix(q, ");")), &s) != nil {
				return "", false
			}
			return s, true
		}},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tc.method, h.url+"/sockjs/000/"+tc.transport+"/"+tc.transport+tc.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			lines := bufio.NewScanner(resp.Body)
			lines.Buffer(nil, 1<<20)
			for lines.Scan() {
				frame, ok := tc.frame(strings.TrimSuffix(lines.Text(), "\r"))
				if !ok || !strings.HasPrefix(frame, "a") {
					if tc.transport == "xhr" && frame == "o" {
						// xhr polling: the open frame ends the request.
						resp.Body.Close()
						if resp, err = h.client.Do(req.Clone(ctx)); err != nil {
							t.Fatal(err)
						}
						defer resp.Body.Close()
						lines = bufio.NewScanner(resp.Body)
						lines.Buffer(nil, 1<<20)
					}
					continue
				}
				if msgs := objects(t, frame); len(msgs) == 0 || msgs[0]["connected"] == nil {
					t.Errorf("first message frame %.200s, want connected first", frame)
				}
				return
			}
			t.Fatalf("no message frame: %v", lines.Err())
		})
	}
}
