package serve_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/proflabels"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// blocker is an EventHandler plugin whose handler blocks on its first
// event until released.
type blocker struct {
	tentacle.Base
	release chan struct{}
	once    sync.Once
	got     chan string // the event it blocks in
	labels  map[string]string
	err     error
}

var _ server.EventHandler = (*blocker)(nil)

func (b *blocker) OnEvent(event string, _ map[string]any) {
	b.once.Do(func() {
		b.labels, b.err = proflabels.Current()
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
	// Its handler runs on a goroutine of its own, which counts as its.
	if b.err != nil || b.labels[manager.GoroutineLabel] != "blocker" {
		t.Errorf("blocker's handler ran under labels %v (%v), want %s=blocker", b.labels, b.err, manager.GoroutineLabel)
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
