package serve

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/server"
)

// socketHub pushes events and plugin messages to the clients of the push
// socket, OctoPrint's: SockJS at /sockjs (and its raw websocket
// /sockjs/websocket), and Tentacle's plain websocket GET /api/socket.
// Whatever the transport, messages are JSON objects with one key:
//
//	{"connected": {"version": "...", ...}}
//	{"event": {"type": "PluginEnabled", "payload": {...}}}
//	{"plugin": {"plugin": "hello", "data": ...}}
//	{"reauthRequired": {"reason": "stale"}}
//	{"pluginsChanged": ...}, {"restartNeeded": ...}, {"reload": ...}  (stateWatch)
//	{"stopping": {"restart": true, "safe_mode": false}}
//
// and clients send auth, throttle and subscribe messages (socketClient).
// Each client has its own bounded queue; a client that cannot keep up is
// disconnected rather than slowing anything down.
type socketHub struct {
	s       *Server
	next    atomic.Int64
	mu      sync.Mutex
	clients map[*socketClient]struct{}
	closed  bool
	running sync.WaitGroup // serve calls in progress
}

func newSocketHub(s *Server) *socketHub {
	return &socketHub{s: s, clients: make(map[*socketClient]struct{})}
}

// serve runs one connection until it ends. remote is the client's
// address; open says whether the client gets events and plugin messages
// before it authenticates (GET /api/socket) or not (SockJS, as OctoPrint).
func (h *socketHub) serve(conn socketConn, remote string, open bool) {
	c := newSocketClient(h, conn, remote, open)
	// The connected message goes first, before any event or plugin message.
	c.queueValue(map[string]any{"connected": h.s.connectedPayload()})
	if !h.add(c) {
		conn.Close(closeGoingAway, "server stopping")
		return
	}
	defer h.running.Done()
	id := "socket:" + strconv.FormatInt(h.next.Add(1), 10)
	sub, err := h.s.bus.Subscribe(id, c.event)
	if err != nil {
		h.remove(c)
		conn.Close(closeInternal, "cannot subscribe to events")
		return
	}
	h.s.bus.Fire(server.EventClientOpened, map[string]any{"remoteAddress": remote})

	ctx, cancel := context.WithCancel(context.Background())
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer cancel() // the client went away: stop writing too
		c.read(ctx)
	}()
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		c.pushState(ctx)
	}()
	code, reason := c.write(ctx)
	conn.Close(code, reason)
	cancel()
	<-read
	<-pushed

	closeCtx, cancelClose := context.WithTimeout(context.Background(), time.Second)
	_ = sub.Close(closeCtx)
	cancelClose()
	h.remove(c)
	c.logout()
	h.s.bus.Fire(server.EventClientClosed, map[string]any{"remoteAddress": remote})
}

// plugin sends a plugin's message to every client that may have it.
func (h *socketHub) plugin(id string, data any) {
	msg, err := json.Marshal(map[string]any{"plugin": map[string]any{"plugin": id, "data": data}})
	if err != nil {
		h.s.log.Warn("cannot encode a plugin message for the socket", "plugin", id, "error", err)
		return
	}
	for _, c := range h.list() {
		c.plugin(id, msg)
	}
}

// notice sends one of the server's own messages to every client (with
// authed, only to those that get events: authenticated, or on the plain
// websocket). Subscriptions do not filter them.
func (h *socketHub) notice(v any, authed bool) {
	msg, err := json.Marshal(v)
	if err != nil {
		h.s.log.Warn("cannot encode a socket message", "error", err)
		return
	}
	for _, c := range h.list() {
		c.notice(msg, authed)
	}
}

// stopping tells every client that the server stops, and whether it
// restarts: {"stopping": {"restart": true, "safe_mode": false}}.
func (h *socketHub) stopping(req StopRequest) {
	h.notice(map[string]any{"stopping": req}, false)
}

// list returns the connected clients.
func (h *socketHub) list() []*socketClient {
	h.mu.Lock()
	defer h.mu.Unlock()
	clients := make([]*socketClient, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	return clients
}

func (h *socketHub) add(c *socketClient) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[c] = struct{}{}
	h.running.Add(1)
	return true
}

func (h *socketHub) remove(c *socketClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.clients, c)
}

// reauth ends the authentication of the clients that hold one of these
// login sessions and asks them to authenticate again, saying why with
// OctoPrint's reasons: "logout", "removed" (the user), "modified" (its
// password or admin flag).
func (h *socketHub) reauth(sessions map[string]bool, reason string) {
	if len(sessions) == 0 {
		return
	}
	for _, c := range h.list() {
		c.mu.Lock()
		hit := sessions[c.session]
		c.mu.Unlock()
		if hit {
			c.logout()
			c.queueValue(map[string]any{"reauthRequired": map[string]any{"reason": reason}})
		}
	}
}

// closeAll disconnects every client, refuses new ones and waits (a little)
// for their handlers to end. It may be called more than once.
func (h *socketHub) closeAll() {
	h.mu.Lock()
	h.closed = true
	for c := range h.clients {
		c.stop(closeGoingAway, "server stopping")
	}
	h.mu.Unlock()
	if !waitTimeout(h.running.Wait, 2*time.Second) {
		h.s.log.Warn("socket clients did not close in time")
	}
}

// messenger is one plugin's server.Messenger.
type messenger struct {
	hub    *socketHub
	plugin string
}

// SendPluginMessage sends data to the socket's clients as
// {"plugin": {"plugin": <id>, "data": data}}: to those that authenticated
// (and the plain websocket's), and, for those that did not yet, keeps it
// until they do (OctoPrint's backlog of 100 messages).
func (m messenger) SendPluginMessage(data any) { m.hub.plugin(m.plugin, data) }
