package serve_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/serve"
)

// TestSocketPrinterState: a client gets the history message once, then a
// current message every 500 ms (times its throttle) with the log lines and
// temperature points since the last one.
func TestSocketPrinterState(t *testing.T) {
	serve.SetTempSampleInterval(t, 50*time.Millisecond)
	h := start(t, setup{printer: true})
	h.connect(t)
	h.upload(h.key, "cube.gcode", cube(), "path", "parts").want(t, "upload", 201)
	s := dial(t, h)
	hist := s.next(t, "history", nil)
	if logs := stringList(hist["logs"]); !slices.Contains(logs, "Recv: start") {
		t.Errorf("history logs %q lack the connection's", logs)
	}
	h.do(http.MethodPost, "/api/printer/command", h.key, map[string]any{"command": "G28"}).want(t, "G28", 204)
	cur := s.next(t, "current", func(v map[string]any) bool { return slices.Contains(stringList(v["logs"]), "Send: G28") })
	if len(stringList(cur["logs"])) != 2 {
		t.Errorf("current logs %q: want only the lines since the last push", cur["logs"])
	}
	temps := s.next(t, "current", func(v map[string]any) bool { l, _ := v["temps"].([]any); return len(l) > 0 })
	p := temps["temps"].([]any)[0].(map[string]any)
	if _, ok := p["tool0"].(map[string]any)["actual"].(float64); !ok {
		t.Errorf("temperature point %v", p)
	}

	h.do(http.MethodPost, "/api/files/local/parts/cube.gcode", h.key, map[string]any{"command": "select", "print": true}).want(t, "print", 204)
	h.printer.Advance(250)
	cur = s.next(t, "current", func(v map[string]any) bool { return v["state"].(map[string]any)["text"] == "Printing" })
	cur["temps"], cur["logs"] = []any{}, []any{}
	checkFixture(t, "printer/current", cur)

	// Throttle 2: a current message every second.
	s.send(map[string]any{"throttle": 2})
	s.next(t, "current", nil)
	s.next(t, "current", nil)
	t0 := time.Now()
	s.next(t, "current", nil)
	if d := time.Since(t0); d < 800*time.Millisecond {
		t.Errorf("current messages %v apart with throttle 2", d)
	}
}

// TestSocketPrinterStateUnauthenticated: a SockJS client that has not
// authenticated gets no state; one that unsubscribed from it neither.
func TestSocketPrinterStateUnauthenticated(t *testing.T) {
	h := start(t, setup{printer: true})
	h.connect(t)
	anon := dialTransport(t, h, sockjsWS)
	quiet := dial(t, h)
	quiet.send(map[string]any{"subscribe": map[string]any{"events": true}})
	time.Sleep(1500 * time.Millisecond)
	for _, c := range []*socket{anon, quiet} {
		for len(c.msgs) > 0 {
			c.kept = append(c.kept, <-c.msgs)
		}
		for _, m := range c.kept {
			if m["current"] != nil || (m["history"] != nil && c == anon) {
				t.Errorf("state message to a client that may not have it: %v", m)
			}
		}
	}
}

// stringList returns a JSON list of strings.
func stringList(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
