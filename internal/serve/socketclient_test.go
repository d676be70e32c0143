package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// The socket's clients as tests see them: /api/socket and the raw
// /sockjs/websocket carry one JSON message per websocket message; SockJS's
// websocket transport frames them ("o" open, "h" heartbeat, "a[...]" an
// array of messages, each a JSON object, "c[code, reason]" close; a client
// sends arrays of strings); xhr polling is plain HTTP (xhrSession).

// transport is one way of reaching the socket over a websocket.
type transport struct {
	name   string
	path   string // relative to the server's URL
	framed bool   // SockJS framing
	open   bool   // events before authentication (/api/socket)
}

var (
	plainSocket = transport{name: "api-socket", path: "/api/socket", open: true}
	sockjsWS    = transport{name: "sockjs-websocket", path: "/sockjs/000/testsession/websocket", framed: true}
	sockjsRaw   = transport{name: "sockjs-raw", path: "/sockjs/websocket"}
	transports  = []transport{plainSocket, sockjsWS, sockjsRaw}
	sockjsOnly  = []transport{sockjsWS, sockjsRaw}
)

// socket is a client of the socket whose messages arrive on a channel.
type socket struct {
	t      *testing.T
	tr     transport
	conn   *websocket.Conn
	msgs   chan map[string]any
	raw    chan []byte      // the messages as sent, in the same order
	err    chan error       // why the connection ended
	kept   []map[string]any // received, not yet asked for
	opened bool             // the SockJS open frame arrived
}

// sockjsClosed is a SockJS close frame.
type sockjsClosed struct {
	code   websocket.StatusCode
	reason string
}

func (c sockjsClosed) Error() string {
	return fmt.Sprintf("SockJS close frame %d %q", c.code, c.reason)
}

// closeStatus is the close code an ended connection reports.
func closeStatus(err error) websocket.StatusCode {
	if c, ok := err.(sockjsClosed); ok {
		return c.code
	}
	return websocket.CloseStatus(err)
}

// dial opens /api/socket.
func dial(t *testing.T, h *harness) *socket { return dialTransport(t, h, plainSocket) }

// dialTransport opens the socket over tr; it is closed when the test ends.
func dialTransport(t *testing.T, h *harness, tr transport) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.url, "http")+tr.path, &websocket.DialOptions{HTTPClient: h.client})
	if err != nil {
		t.Fatalf("dial %s: %v", tr.path, err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	conn.SetReadLimit(1 << 20)
	s := &socket{t: t, tr: tr, conn: conn, msgs: make(chan map[string]any, 1024), raw: make(chan []byte, 1024), err: make(chan error, 1)}
	go s.receive()
	// Closed before the server stops (cleanups run last first).
	t.Cleanup(func() {
		conn.Close(websocket.StatusNormalClosure, "")
		<-s.err
		s.err <- nil // for a later cleanup
	})
	return s
}

// receive reads until the connection ends, unframing SockJS frames.
func (s *socket) receive() {
	for {
		_, data, err := s.conn.Read(context.Background())
		if err != nil {
			s.err <- err
			return
		}
		if !s.tr.framed {
			s.deliver(data)
			continue
		}
		switch {
		case len(data) == 0:
		case data[0] == 'o', data[0] == 'h':
		case data[0] == 'a':
			// Each message is a JSON object in the array, as OctoPrint
			// sends it (a string would reach no handler of its client).
			var batch []json.RawMessage
			if json.Unmarshal(data[1:], &batch) == nil {
				for _, m := range batch {
					s.deliver(m)
				}
			}
		case data[0] == 'c':
			var frame []any
			_ = json.Unmarshal(data[1:], &frame)
			c := sockjsClosed{}
			if len(frame) == 2 {
				code, _ := frame[0].(float64)
				c.code = websocket.StatusCode(code)
				c.reason, _ = frame[1].(string)
			}
			s.conn.CloseNow()
			s.err <- c
			return
		}
	}
}

func (s *socket) deliver(data []byte) {
	var m map[string]any
	if json.Unmarshal(data, &m) == nil {
		s.raw <- data
		s.msgs <- m
	}
}

// send sends one client message: v encoded as JSON, or a string as it is.
func (s *socket) send(v any) {
	s.t.Helper()
	text, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			s.t.Fatal(err)
		}
		text = string(b)
	}
	if s.tr.framed {
		b, _ := json.Marshal([]string{text})
		text = string(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		s.t.Fatalf("send %s: %v", text, err)
	}
}

// next returns the first message, in the order received, with the given
// top-level key whose value satisfies match (nil: any); messages it skips
// are kept for later calls. It fails at the deadline.
func (s *socket) next(t *testing.T, key string, match func(v map[string]any) bool) map[string]any {
	t.Helper()
	take := func(m map[string]any) (map[string]any, bool) {
		v, ok := m[key].(map[string]any)
		return v, ok && (match == nil || match(v))
	}
	for i, m := range s.kept {
		if v, ok := take(m); ok {
			s.kept = slices.Delete(s.kept, i, i+1)
			return v
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	for {
		select {
		case m := <-s.msgs:
			if v, ok := take(m); ok {
				return v
			}
			s.kept = append(s.kept, m)
		case err := <-s.err:
			s.err <- err // for the cleanup
			// What arrived before the close is on s.msgs already.
			for len(s.msgs) > 0 {
				m := <-s.msgs
				if v, ok := take(m); ok {
					return v
				}
				s.kept = append(s.kept, m)
			}
			t.Fatalf("socket closed while waiting for %q: %v", key, err)
		case <-ctx.Done():
			t.Fatalf("no %q message before the deadline; got %v", key, s.kept)
		}
	}
}

// ended waits for the connection to end and returns why.
func (s *socket) ended(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	select {
	case err := <-s.err:
		s.err <- err // for the cleanup
		return err
	case <-ctx.Done():
		t.Fatal("the socket is still open at the deadline")
		return nil
	}
}

// xhrSession is a SockJS client over xhr polling.
type xhrSession struct {
	h    *harness
	base string // /sockjs/<server>/<session>
}

// post sends a POST to the session's endpoint (xhr or xhr_send).
func (x xhrSession) post(endpoint, body string) response {
	x.h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, x.h.url+x.base+"/"+endpoint, strings.NewReader(body))
	if err != nil {
		x.h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := x.h.client.Do(req)
	if err != nil {
		x.h.t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		x.h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// poll sends one poll and returns the frame it answers.
func (x xhrSession) poll() []byte {
	x.h.t.Helper()
	r := x.post("xhr", "")
	if r.status != http.StatusOK {
		x.h.t.Fatalf("poll: %d %s", r.status, r.body)
	}
	return bytes.TrimSuffix(r.body, []byte("\n"))
}

// messages polls until a frame with messages arrives and returns them.
func (x xhrSession) messages() []map[string]any {
	x.h.t.Helper()
	for {
		frame := x.poll()
		if len(frame) == 0 || frame[0] != 'a' {
			continue // a heartbeat
		}
		var out []map[string]any
		if err := json.Unmarshal(frame[1:], &out); err != nil {
			x.h.t.Fatalf("frame %s: %v, want an array of JSON objects", frame, err)
		}
		return out
	}
}

// send sends client messages (each encoded as JSON) with xhr_send.
func (x xhrSession) send(msgs ...any) {
	x.h.t.Helper()
	var texts []string
	for _, m := range msgs {
		b, _ := json.Marshal(m)
		texts = append(texts, string(b))
	}
	body, _ := json.Marshal(texts)
	if r := x.post("xhr_send", string(body)); r.status != http.StatusNoContent {
		x.h.t.Fatalf("xhr_send: %d %s", r.status, r.body)
	}
}
