package serve_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/server"
)

// count returns how many times demo got the event name.
func count(h *harness, name string) int {
	n := 0
	for _, ev := range h.demo.Events() {
		if ev == name {
			n++
		}
	}
	return n
}

// A client's arrival and departure are events, whatever its transport;
// once every client and the server are gone, so are their goroutines.
func TestSocketClientsComeAndGo(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	h := start(t, setup{})
	for i, tr := range transports {
		s := dialTransport(t, h, tr)
		s.next(t, "connected", nil)
		eventually(t, tr.name+": ClientOpened delivered to demo", func() bool { return count(h, server.EventClientOpened) == i+1 })
		s.conn.Close(websocket.StatusNormalClosure, "bye")
		eventually(t, tr.name+": ClientClosed delivered to demo", func() bool { return count(h, server.EventClientClosed) == i+1 })
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, leaks, logMill)
}

// Stopping the server closes every client with 1001 (going away): a
// websocket close, or SockJS's close frame.
func TestStopClosesSockets(t *testing.T) {
	h := start(t, setup{})
	var sockets []*socket
	for _, tr := range transports {
		s := dialTransport(t, h, tr)
		s.next(t, "connected", nil)
		sockets = append(sockets, s)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	for _, s := range sockets {
		err := s.ended(t)
		if got := closeStatus(err); got != websocket.StatusGoingAway {
			t.Errorf("%s ended with %v (status %v), want %v", s.tr.name, err, got, websocket.StatusGoingAway)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: read timed out instead of being closed: %v", s.tr.name, err)
		}
	}
}

// An xhr-polling round trip: the open frame, the connected message,
// client messages by xhr_send (auth with a session of a passive login),
// a plugin message. A client that stops polling is gone after SockJS's
// disconnect delay: its session ends, ClientClosed is fired, and nothing
// of it is left running.
func TestSockJSXHRPolling(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	h := start(t, setup{})
	x := xhrSession{h: h, base: "/sockjs/000/xhrsession"}
	if frame := x.poll(); string(frame) != "o" {
		t.Fatalf("first poll %q, want the open frame o", frame)
	}
	msgs := x.messages()
	if len(msgs) != 1 || msgs[0]["connected"] == nil {
		t.Fatalf("second poll %v, want the connected message", msgs)
	}
	checkFixture(t, "connected", msgs[0]["connected"])
	x.send(map[string]any{"throttle": 2}, map[string]any{"auth": "_api:" + passiveLogin(t, h)})
	fire(t, h, "polled")
	var got []map[string]any
	for !strings.Contains(fmt.Sprint(got), "fired:polled") {
		got = append(got, x.messages()...)
	}
	for _, m := range got {
		if p, ok := m["plugin"].(map[string]any); ok && fmt.Sprint(p["data"]) != "map[fired:polled]" {
			t.Errorf("unexpected plugin message %v", p)
		}
	}

	eventually(t, "the session ends once the client stops polling", func() bool {
		return x.post("xhr_send", `[]`).status == http.StatusNotFound
	})
	eventually(t, "ClientClosed delivered to demo", func() bool { return count(h, server.EventClientClosed) == 1 })
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, leaks, logMill)
}
