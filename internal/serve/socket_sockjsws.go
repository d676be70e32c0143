package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// SockJS's two websocket transports are served here, over
// github.com/coder/websocket, rather than by the SockJS library: its
// websocket reader has no size limit, so one frame of any size would be
// read into memory. Each client frame is limited to maxClientMessage; a
// larger one closes the connection with 1009 (message too big).

// sockjsWebsocketPath matches SockJS's websocket transport,
// /sockjs/<server>/<session>/websocket. As in SockJS, the server and
// session segments are not empty and hold no dot; other paths are the
// library's (which answers 404).
var sockjsWebsocketPath = regexp.MustCompile(`^/sockjs/[^/.]+/[^/.]+/websocket$`)

// sockjsHeartbeat is how often SockJS's websocket transport sends its
// heartbeat frame "h": SockJS's default, 25 seconds, unless a test set
// another (atomic: connections of earlier tests may still read it).
var sockjsHeartbeat atomic.Int64

func init() { sockjsHeartbeat.Store(int64(25 * time.Second)) }

// brokenFraming is the close code and reason SockJS ends a session with
// when the client sends a frame that is not JSON.
const (
	closeBrokenFraming  = 3000
	reasonBrokenFraming = "Broken framing."
)

// serveSockJSWebsocket serves /sockjs/<server>/<session>/websocket: an
// accepted websocket gets the open frame "o", the heartbeat "h" every
// sockjsHeartbeat, messages as "a[...]" and "c[code,reason]" before it is
// closed.
func (h *socketHub) serveSockJSWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, ok := acceptWebsocket(w, r)
	if !ok {
		return
	}
	c := &sockjsWebsocket{c: conn, stop: make(chan struct{}), done: make(chan struct{})}
	if c.frame(r.Context(), "o") != nil {
		_ = conn.CloseNow()
		return
	}
	go c.heartbeat()
	defer c.stopHeartbeat()
	h.serve(c, r.RemoteAddr, false)
}

// serveRawWebsocket serves /sockjs/websocket, SockJS's raw websocket: the
// socket's messages without SockJS's framing, one per websocket message.
func (h *socketHub) serveRawWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, ok := acceptWebsocket(w, r)
	if !ok {
		return
	}
	h.serve(wsConn{conn}, r.RemoteAddr, false)
}

// acceptWebsocket upgrades a request to a websocket whose client messages
// are limited to maxClientMessage. Browsers may only open it from a page
// of the server itself (the websocket library refuses another Origin with
// 403).
func acceptWebsocket(w http.ResponseWriter, r *http.Request) (*websocket.Conn, bool) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil, false // Accept has answered
	}
	conn.SetReadLimit(maxClientMessage)
	return conn, true
}

// sockjsWebsocket is a socketConn over SockJS's websocket transport.
type sockjsWebsocket struct {
	c *websocket.Conn

	// The messages of the last frame not yet returned by Recv (a frame
	// may hold several); used by Recv only, which one goroutine calls.
	pending []string

	stop chan struct{} // closed to stop the heartbeat
	done chan struct{} // closed when the heartbeat has stopped
	once sync.Once
}

// heartbeat sends the heartbeat frame every sockjsHeartbeat until
// stopHeartbeat, or until a frame cannot be sent.
func (c *sockjsWebsocket) heartbeat() {
	defer close(c.done)
	t := time.NewTicker(time.Duration(sockjsHeartbeat.Load()))
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if c.frame(context.Background(), "h") != nil {
				return
			}
		}
	}
}

// stopHeartbeat stops the heartbeat and waits for it to end.
func (c *sockjsWebsocket) stopHeartbeat() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// frame sends one SockJS frame.
func (c *sockjsWebsocket) frame(ctx context.Context, frame string) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return c.c.Write(ctx, websocket.MessageText, []byte(frame))
}

// Send sends one message in a message frame, as a JSON object (see
// messageFrame).
func (c *sockjsWebsocket) Send(ctx context.Context, msg []byte) error {
	return c.frame(ctx, string(messageFrame(msg)))
}

// Recv returns the next message the client sent. A frame is a JSON array
// of strings or one JSON string; an empty frame is ignored, and so are
// values that are not strings. A frame that is not JSON ends the session
// (close code 3000, "Broken framing.", as SockJS).
func (c *sockjsWebsocket) Recv(ctx context.Context) ([]byte, error) {
	for len(c.pending) == 0 {
		_, data, err := c.c.Read(ctx)
		if err != nil {
			return nil, err
		}
		msgs, err := sockjsClientFrame(data)
		if err != nil {
			c.Close(closeBrokenFraming, reasonBrokenFraming)
			return nil, err
		}
		c.pending = msgs
	}
	msg := c.pending[0]
	c.pending = c.pending[1:]
	return []byte(msg), nil
}

// sockjsClientFrame returns the messages of a frame a SockJS client sent.
func sockjsClientFrame(data []byte) ([]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("a SockJS frame that is not JSON: %w", err)
	}
	values, ok := v.([]any)
	if !ok {
		values = []any{v}
	}
	var msgs []string
	for _, m := range values {
		if s, ok := m.(string); ok {
			msgs = append(msgs, s)
		}
	}
	return msgs, nil
}

// Close sends SockJS's close frame, then closes the websocket with the
// same code.
func (c *sockjsWebsocket) Close(code int, reason string) {
	frame, _ := json.Marshal([]any{code, reason})
	_ = c.frame(context.Background(), "c"+string(frame))
	_ = c.c.Close(websocket.StatusCode(code), reason)
}
