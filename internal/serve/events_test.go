package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/server"
)

// blocker is an EventHandler plugin whose handler blocks on its first
// event until released.
type blocker struct {
	tentacle.Base
	release chan struct{}
	once    sync.Once
	got     chan string // the event it blocks in
}

var _ server.EventHandler = (*blocker)(nil)

func (b *blocker) OnEvent(event string, _ map[string]any) {
	b.once.Do(func() {
		b.got <- event
		<-b.release
	})
}

// fire makes demo fire plugin_demo_<name> and send a plugin message.
func fire(t *testing.T, h *harness, name string) {
	t.Helper()
	apiCase{method: "POST", path: "/api/plugin/demo", key: "good", body: map[string]any{"command": "fire", "event": name}, wantStatus: 204}.run(t, h)
}

func TestEventHandlersAreIsolated(t *testing.T) {
	b := &blocker{release: make(chan struct{}), got: make(chan string, 1)}
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		demo.ID:   demo.New(),
		"blocker": {Name: "Blocker", Version: "1.0.0", Implementation: b},
	}})
	// Released before the server stops (cleanups run last first).
	t.Cleanup(func() { close(b.release) })
	fire(t, h, "first")
	select { // blocker is stuck in a handler from now on
	case <-b.got:
	case <-time.After(deadline):
		t.Fatal("blocker got no event")
	}

	fire(t, h, "second")
	eventually(t, "demo gets events while blocker is stuck", func() bool {
		return slices.Contains(h.demo.Events(), "plugin_demo_second")
	})

	// A panic in demo's handler is counted, and demo gets the next events.
	fire(t, h, "boom")
	fire(t, h, "after")
	eventually(t, "demo gets events after its handler panicked", func() bool {
		return slices.Contains(h.demo.Events(), "plugin_demo_after")
	})
	in := pluginInfo(t, h, "demo")
	if in.Faults != 1 || !strings.Contains(in.LastFault, "OnEvent plugin_demo_boom") || !strings.Contains(in.LastFault, "boom on purpose") {
		t.Errorf("demo faults %d, last %q; want 1, the OnEvent panic", in.Faults, in.LastFault)
	}
	if !in.Enabled {
		t.Errorf("demo disabled by its handler's panic")
	}
	var got []string
	for _, ev := range h.demo.Events() {
		if strings.HasPrefix(ev, "plugin_demo_") {
			got = append(got, ev)
		}
	}
	if diff := cmp.Diff([]string{"plugin_demo_first", "plugin_demo_second", "plugin_demo_boom", "plugin_demo_after"}, got); diff != "" {
		t.Errorf("demo's events, in order (-want +got):\n%s", diff)
	}
}

// socket is a client of /api/socket whose messages arrive on a channel.
type socket struct {
	conn *websocket.Conn
	msgs chan map[string]any
	err  chan error       // Read's error when the connection ends
	kept []map[string]any // received, not yet asked for
}

func dial(t *testing.T, h *harness) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.url, "http")+"/api/socket", &websocket.DialOptions{HTTPClient: h.client})
	if err != nil {
		t.Fatalf("dial /api/socket: %v", err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	s := &socket{conn: conn, msgs: make(chan map[string]any, 1024), err: make(chan error, 1)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				s.err <- err
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				s.msgs <- m
			}
		}
	}()
	// Closed before the server stops (cleanups run last first).
	t.Cleanup(func() {
		conn.Close(websocket.StatusNormalClosure, "")
		<-s.err
	})
	return s
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
			t.Fatalf("socket closed while waiting for %q: %v", key, err)
		case <-ctx.Done():
			t.Fatalf("no %q message before the deadline; got %v", key, s.kept)
		}
	}
}

func eventType(name string) func(map[string]any) bool {
	return func(v map[string]any) bool { return v["type"] == name }
}

func TestSocket(t *testing.T) {
	h := start(t, setup{})
	s := dial(t, h)
	// The connected message field by field: TestSocketConnected.
	if c := s.next(t, "connected", nil); c["version"] != serve.Version || c["safemode"] != nil {
		t.Errorf("connected message %v, want version %s and safemode null", c, serve.Version)
	}
	fire(t, h, "x")
	ev := s.next(t, "event", eventType("plugin_demo_x"))
	if diff := cmp.Diff(map[string]any{"type": "plugin_demo_x", "payload": map[string]any{"from": "demo"}}, ev); diff != "" {
		t.Errorf("event message (-want +got):\n%s", diff)
	}
	msg := s.next(t, "plugin", nil)
	if diff := cmp.Diff(map[string]any{"plugin": "demo", "data": map[string]any{"fired": "x"}}, msg); diff != "" {
		t.Errorf("plugin message (-want +got):\n%s", diff)
	}
	// Lifecycle events reach the socket too.
	toggle(t, h, "disable", "demo")
	ev = s.next(t, "event", eventType("PluginDisabled"))
	if diff := cmp.Diff(map[string]any{"id": "demo", "version": "1.0.0"}, ev["payload"]); diff != "" {
		t.Errorf("PluginDisabled payload (-want +got):\n%s", diff)
	}
}

func TestSocketClientEvents(t *testing.T) {
	h := start(t, setup{})
	s := dial(t, h)
	s.next(t, "connected", nil)
	eventually(t, "ClientOpened delivered to demo", func() bool { return slices.Contains(h.demo.Events(), "ClientOpened") })
	s.conn.Close(websocket.StatusNormalClosure, "bye")
	eventually(t, "ClientClosed delivered to demo", func() bool { return slices.Contains(h.demo.Events(), "ClientClosed") })
}

func TestStopClosesSockets(t *testing.T) {
	h := start(t, setup{})
	s := dial(t, h)
	s.next(t, "connected", nil)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-s.err:
		s.err <- err // for the cleanup
	case <-time.After(deadline):
		t.Fatal("the socket is still open after the stop")
	}
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Errorf("socket ended with %v (status %v), want %v", err, got, websocket.StatusGoingAway)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("socket read timed out instead of being closed: %v", err)
	}
}
