package serve_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/internal/serve"
)

// tooBig is one byte more than a client frame may hold (64 KiB).
const tooBig = 64<<10 + 1

// A client frame larger than 64 KiB closes that connection with 1009
// (message too big) on every websocket, SockJS's included, before the
// server has read it all; the server and its other clients go on.
func TestSocketFrameTooBig(t *testing.T) {
	h := start(t, setup{})
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			big := dialTransport(t, h, tr)
			other := dialTransport(t, h, tr)
			big.next(t, "connected", nil)
			other.next(t, "connected", nil)

			// Just under the limit is a message like any other.
			big.send(`["` + strings.Repeat("x", 60<<10) + `"]`)
			frame := `["` + strings.Repeat("x", tooBig) + `"]`
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			// The write may fail once the server has closed the connection.
			_ = big.conn.Write(ctx, websocket.MessageText, []byte(frame))
			if err := big.ended(t); closeStatus(err) != websocket.StatusMessageTooBig {
				t.Fatalf("a %d-byte frame ended the connection with %v, want 1009 (message too big)", len(frame), err)
			}

			other.send(map[string]any{"auth": "_api:" + passiveLogin(t, h)})
			fire(t, h, tr.name)
			if got := other.next(t, "plugin", nil); got["plugin"] != "demo" {
				t.Errorf("another client got %v, want demo's plugin message", got)
			}
			if r := h.do("GET", "/api/version", "", nil); r.status != http.StatusOK {
				t.Errorf("GET /api/version after the big frame: %d", r.status)
			}
		})
	}
}

// SockJS's websocket transport takes a frame holding an array of strings
// or one string, ignores an empty frame, and ends the session on a frame
// that is not JSON (3000, "Broken framing.", as SockJS). Its server and
// session segments hold no dot, as in SockJS.
func TestSockJSWebsocketFraming(t *testing.T) {
	h := start(t, setup{})
	write := func(s *socket, frame string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := s.conn.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
			t.Fatalf("send %s: %v", frame, err)
		}
	}

	s := dialTransport(t, h, sockjsWS)
	s.next(t, "connected", nil)
	write(s, "")
	write(s, `[1, {"auth": "x"}, null]`)
	write(s, `"{\"auth\": \"_api:`+passiveLogin(t, h)+`\"}"`)
	fire(t, h, "single")
	if got := s.next(t, "plugin", nil); got["plugin"] != "demo" {
		t.Errorf("after an auth sent as one string: %v, want demo's plugin message", got)
	}
	write(s, `["{\"throttle\": 2}"`)
	err := s.ended(t)
	if c, ok := err.(sockjsClosed); !ok || c.code != 3000 || c.reason != "Broken framing." {
		t.Errorf("a frame that is not JSON: %v, want the close frame 3000 \"Broken framing.\"", err)
	}

	for _, p := range []string{"/sockjs/0.0/s/websocket", "/sockjs/000/s.1/websocket"} {
		if got := dialStatus(t, h, p, "", ""); got != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, got)
		}
	}
}

// SockJS's websocket transport opens with "o" and sends the heartbeat "h"
// regularly; the heartbeat ends with its connection.
func TestSockJSWebsocketHeartbeat(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	serve.SetSockJSHeartbeat(t, 20*time.Millisecond)
	h := start(t, setup{})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.url, "http")+sockjsWS.path, &websocket.DialOptions{HTTPClient: h.client})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	var frames []string
	for beats := 0; beats < 3; {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("after %q: %v", frames, err)
		}
		frames = append(frames, string(data[:1]))
		if string(data) == "h" {
			beats++
		}
	}
	if frames[0] != "o" {
		t.Errorf("first frames %q, want the open frame first", frames)
	}
	conn.Close(websocket.StatusNormalClosure, "")
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, leaks, logMill)
}
