package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tentacle-go/tentacle/events"
	"github.com/tentacle-go/tentacle/server"
)

// socketHub pushes events and plugin messages to the browser clients
// connected to GET /api/socket (OctoPrint's push socket). Messages are JSON
// objects with one key:
//
//	{"connected": {"version": "...", "safemode": null}}
//	{"event": {"type": "PluginEnabled", "payload": {...}}}
//	{"plugin": {"plugin": "hello", "data": ...}}
//
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

type socketClient struct {
	conn   *websocket.Conn
	send   chan []byte
	done   chan struct{}
	once   sync.Once
	remote string
}

// clientQueue is how many messages may wait for one client.
const clientQueue = 256

func newSocketHub(s *Server) *socketHub {
	return &socketHub{s: s, clients: make(map[*socketClient]struct{})}
}

// serve upgrades a request to a socket and pushes to it until it closes.
func (h *socketHub) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	c := &socketClient{conn: conn, send: make(chan []byte, clientQueue), done: make(chan struct{}), remote: r.RemoteAddr}
	if !h.add(c) {
		conn.Close(websocket.StatusGoingAway, "server stopping")
		return
	}
	defer h.running.Done()
	// The connected message goes first, before any event.
	h.push(c, map[string]any{"connected": map[string]any{"version": Version, "safemode": h.s.Info().SafeMode}})
	id := "socket:" + strconv.FormatInt(h.next.Add(1), 10)
	sub, err := h.s.bus.Subscribe(id, func(ev events.Event) {
		h.push(c, map[string]any{"event": map[string]any{"type": ev.Name, "payload": ev.Payload}})
	})
	if err != nil {
		h.remove(c)
		conn.Close(websocket.StatusInternalError, "cannot subscribe")
		return
	}
	h.s.bus.Fire(server.EventClientOpened, map[string]any{"remoteAddress": c.remote})

	ctx := conn.CloseRead(r.Context())
	h.write(ctx, c)

	closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = sub.Close(closeCtx)
	cancel()
	h.remove(c)
	h.s.bus.Fire(server.EventClientClosed, map[string]any{"remoteAddress": c.remote})
}

// write sends queued messages until the client or the hub goes away.
func (h *socketHub) write(ctx context.Context, c *socketClient) {
	defer c.conn.CloseNow()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			c.conn.Close(websocket.StatusGoingAway, "server stopping")
			return
		case msg := <-c.send:
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.conn.Write(wctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

// push queues a message for one client; a client whose queue is full is
// disconnected.
func (h *socketHub) push(c *socketClient, v any) {
	msg, err := json.Marshal(v)
	if err != nil {
		h.s.log.Warn("cannot encode a socket message", "error", err)
		return
	}
	select {
	case c.send <- msg:
	default:
		h.s.log.Warn("socket client too slow; disconnecting it", "remote", c.remote)
		c.stop()
	}
}

// broadcast queues a message for every client.
func (h *socketHub) broadcast(v any) {
	h.mu.Lock()
	clients := make([]*socketClient, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	for _, c := range clients {
		h.push(c, v)
	}
}

func (c *socketClient) stop() { c.once.Do(func() { close(c.done) }) }

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

// closeAll disconnects every client, refuses new ones and waits (a little)
// for their handlers to end.
func (h *socketHub) closeAll() {
	h.mu.Lock()
	h.closed = true
	for c := range h.clients {
		c.stop()
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

func (m messenger) SendPluginMessage(data any) {
	m.hub.broadcast(map[string]any{"plugin": map[string]any{"plugin": m.plugin, "data": data}})
}
