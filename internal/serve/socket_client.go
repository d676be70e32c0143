package serve

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/events"
)

// socketClient is one client of the push socket and the message protocol
// it speaks, OctoPrint's, whatever the transport (socketConn).
//
// A client that has not authenticated gets the connected message and
// reauthRequired, nothing else: events are not sent to it, and plugin
// messages are kept (up to unauthedBacklog) and sent once it
// authenticates. GET /api/socket is open: its clients get everything from
// the start, as before SockJS existed.
//
// Clients send JSON objects with one key; the server takes
//
//	{"auth": "<user>:<session>"}     the session of a passive login (POST /api/login)
//	{"throttle": 2}                  a whole number >= 1, see throttle
//	{"subscribe": {"state": ..., "plugins": true|false|[ids], "events": true|false|[names]}}
//
// and ignores anything else (an unknown key, a malformed value, text that
// is not a JSON object), logging it at debug level: no client message
// closes the connection.
type socketClient struct {
	hub    *socketHub
	conn   socketConn
	remote string
	open   bool // events and plugin messages before authentication

	send chan []byte
	done chan struct{}
	once sync.Once
	code int // the close code and reason of stop
	why  string

	mu       sync.Mutex
	session  string // the login session it authenticated with; "" for none
	user     string // the session's user
	throttle int    // OctoPrint's throttle factor, >= 1
	subs     subscription
	backlog  [][]byte // plugin messages kept until it authenticates
}

// clientQueue is how many messages may wait for one client.
const clientQueue = 256

// unauthedBacklog is how many plugin messages are kept for a client that
// has not authenticated yet; later ones are dropped.
const unauthedBacklog = 100

func newSocketClient(h *socketHub, conn socketConn, remote string, open bool) *socketClient {
	return &socketClient{
		hub: h, conn: conn, remote: remote, open: open,
		send: make(chan []byte, clientQueue), done: make(chan struct{}),
		throttle: 1, subs: everything(),
	}
}

// read handles the client's messages until the connection ends.
func (c *socketClient) read(ctx context.Context) {
	for {
		msg, err := c.conn.Recv(ctx)
		if err != nil {
			return
		}
		c.handle(msg)
	}
}

// write sends queued messages until the client goes away (ctx) or is
// stopped, and returns the close code and reason to end the connection
// with.
func (c *socketClient) write(ctx context.Context) (code int, reason string) {
	for {
		select {
		case <-ctx.Done():
			return closeNormal, ""
		case <-c.done:
			if c.code == closeGoingAway {
				c.flush(ctx) // what was queued before the stop, stopping included
			}
			return c.code, c.why
		case msg := <-c.send:
			if err := c.conn.Send(ctx, msg); err != nil {
				return closeInternal, "cannot send"
			}
		}
	}
}

// flushTimeout bounds the sending of what is queued for a client when the
// server stops.
const flushTimeout = time.Second

// flush sends what is queued now, for at most flushTimeout.
func (c *socketClient) flush(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	for {
		select {
		case msg := <-c.send:
			if c.conn.Send(ctx, msg) != nil {
				return
			}
		default:
			return
		}
	}
}

// stop ends the connection (the first call's code and reason count).
func (c *socketClient) stop(code int, reason string) {
	c.once.Do(func() {
		c.code, c.why = code, reason
		close(c.done)
	})
}

// queue queues an encoded message; a client whose queue is full is
// disconnected.
func (c *socketClient) queue(msg []byte) {
	select {
	case c.send <- msg:
	default:
		c.hub.s.log.Warn("socket client too slow; disconnecting it", "remote", c.remote)
		c.stop(closeTooSlow, "too slow: messages were not read in time")
	}
}

// queueValue encodes and queues a message.
func (c *socketClient) queueValue(v any) {
	msg, err := json.Marshal(v)
	if err != nil {
		c.hub.s.log.Warn("cannot encode a socket message", "error", err)
		return
	}
	c.queue(msg)
}

// authed reports whether the client may get events and plugin messages
// (c.mu held).
func (c *socketClient) authed() bool { return c.open || c.session != "" }

// event is the client's event bus subscriber.
func (c *socketClient) event(ev events.Event) {
	c.mu.Lock()
	ok := c.authed() && c.subs.events.has(ev.Name)
	c.mu.Unlock()
	if ok {
		c.queueValue(map[string]any{"event": map[string]any{"type": ev.Name, "payload": ev.Payload}})
	}
}

// notice queues one of the server's own messages (encoded); with authed,
// only for a client that gets events.
func (c *socketClient) notice(msg []byte, authed bool) {
	c.mu.Lock()
	ok := !authed || c.authed()
	c.mu.Unlock()
	if ok {
		c.queue(msg)
	}
}

// plugin queues a plugin's message (encoded), or keeps it for when the
// client authenticates.
func (c *socketClient) plugin(id string, msg []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.subs.plugins.has(id):
	case c.authed():
		c.queue(msg)
	case len(c.backlog) < unauthedBacklog:
		c.backlog = append(c.backlog, msg)
	default:
		c.hub.s.log.Debug("socket client not authenticated and its backlog full: plugin message dropped", "remote", c.remote, "plugin", id)
	}
}

// handle takes one message from the client. As OctoPrint, a message with
// more than one known key is taken as auth, else throttle, else subscribe.
func (c *socketClient) handle(raw []byte) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		c.ignore("not a JSON object", raw)
		return
	}
	switch {
	case m["auth"] != nil:
		c.auth(m["auth"], raw)
	case m["throttle"] != nil:
		t, ok := parseThrottle(m["throttle"])
		if !ok {
			c.ignore("throttle is not a whole number of at least 1", raw)
			return
		}
		c.mu.Lock()
		c.throttle = t
		c.mu.Unlock()
		c.hub.s.log.Debug("socket client throttle set", "remote", c.remote, "throttle", t)
	case m["subscribe"] != nil:
		subs, err := parseSubscription(m["subscribe"])
		if err != nil {
			c.ignore("subscribe: "+err.Error(), raw)
			return
		}
		c.mu.Lock()
		c.subs = subs
		c.mu.Unlock()
	default:
		c.ignore("no auth, throttle or subscribe", raw)
	}
}

// ignore logs a client message the server does not take.
func (c *socketClient) ignore(why string, raw []byte) {
	if len(raw) > 200 {
		raw = append(raw[:200:200], "..."...)
	}
	c.hub.s.log.Debug("socket client message ignored: "+why, "remote", c.remote, "message", string(raw))
}

// auth takes {"auth": "<user>:<session>"}. A session the server knows for
// that user authenticates the client, which then gets the plugin messages
// kept for it; any other ends an earlier authentication and is answered
// {"reauthRequired": {"reason": "stale"}}.
func (c *socketClient) auth(v json.RawMessage, raw []byte) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		c.ignore("auth is not a string", raw)
		return
	}
	parts := strings.Split(s, ":")
	if len(parts) != 2 {
		c.ignore(`auth is not "<user>:<session>"`, raw)
		return
	}
	user, session := parts[0], parts[1]
	sessions := c.hub.s.sessions
	if !sessions.attach(user, session) {
		c.hub.s.log.Info("socket client sent an unknown or stale login session", "remote", c.remote, "user", user)
		c.logout()
		c.queueValue(map[string]any{"reauthRequired": map[string]any{"reason": "stale"}})
		return
	}
	c.mu.Lock()
	old := c.session
	c.session, c.user = session, user
	backlog := c.backlog
	c.backlog = nil
	for _, msg := range backlog {
		c.queue(msg)
	}
	c.mu.Unlock()
	if old != "" {
		sessions.detach(old)
	}
	c.hub.s.log.Info("socket client authenticated", "remote", c.remote, "user", user)
}

// logout ends the client's authentication, if any.
func (c *socketClient) logout() {
	c.mu.Lock()
	old := c.session
	c.session, c.user = "", ""
	c.mu.Unlock()
	if old != "" {
		c.hub.s.sessions.detach(old)
	}
}
