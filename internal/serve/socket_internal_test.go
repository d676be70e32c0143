package serve

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/events"
)

// testClient is a socket client of a server with nothing but a log and
// login sessions; what it is sent stays in its queue.
func testClient(open bool) *socketClient {
	s := &Server{log: slog.New(slog.DiscardHandler), sessions: newLoginSessions()}
	return newSocketClient(newSocketHub(s), nil, "test", open)
}

// queued drains what the client was sent, as "event:<type>",
// "plugin:<id>" or the message's key.
func queued(c *socketClient) []string {
	var out []string
	for {
		select {
		case msg := <-c.send:
			var m map[string]struct {
				Type   string
				Plugin string
			}
			_ = json.Unmarshal(msg, &m)
			for k, v := range m {
				switch k {
				case "event":
					out = append(out, "event:"+v.Type)
				case "plugin":
					out = append(out, "plugin:"+v.Plugin)
				default:
					out = append(out, k)
				}
			}
		default:
			return out
		}
	}
}

// step is one thing that happens to a client: a client message (a JSON
// object), an event ("event:<name>") or a plugin message ("plugin:<id>").
func (c *socketClient) step(s string) {
	switch kind, name, _ := strings.Cut(s, ":"); {
	case strings.HasPrefix(s, "{"):
		c.handle([]byte(s))
	case kind == "event":
		c.event(events.Event{Name: name})
	case kind == "plugin":
		c.plugin(name, []byte(fmt.Sprintf(`{"plugin":{"plugin":%q,"data":null}}`, name)))
	}
}

// What a client is sent depends on its authentication and subscription,
// as in OctoPrint: events only once authenticated (or on the open
// /api/socket), plugin messages kept until then, both filtered by the
// last subscribe.
func TestSocketClientProtocol(t *testing.T) {
	cases := []struct {
		name  string
		open  bool
		steps []string // "AUTH" authenticates with a good session
		want  []string
	}{
		{"before auth nothing", false, []string{"event:A", "plugin:p"}, nil},
		{"auth sends what was kept", false, []string{"event:A", "plugin:p", "AUTH", "event:B"}, []string{"plugin:p", "event:B"}},
		{"open socket gets everything", true, []string{"event:A", "plugin:p"}, []string{"event:A", "plugin:p"}},
		{"bad session", false, []string{`{"auth": "_api:nope"}`, "event:A"}, []string{"reauthRequired"}},
		{"bad session ends auth", false, []string{"AUTH", "event:A", `{"auth": "_api:nope"}`, "event:B", "plugin:p"}, []string{"event:A", "reauthRequired"}},
		{"malformed auth is ignored", false, []string{"AUTH", `{"auth": "nocolon"}`, "event:A"}, []string{"event:A"}},
		{"subscribe lists", false, []string{`{"subscribe": {"events": ["A"], "plugins": ["p"]}}`, "AUTH", "event:A", "event:B", "plugin:p", "plugin:q"}, []string{"event:A", "plugin:p"}},
		{"subscribe filters the backlog", false, []string{`{"subscribe": {"plugins": ["p"]}}`, "plugin:q", "plugin:p", "AUTH"}, []string{"plugin:p"}},
		{"subscribe true", true, []string{`{"subscribe": {"events": true, "plugins": true}}`, "event:A", "plugin:q"}, []string{"event:A", "plugin:q"}},
		{"left out means none", true, []string{`{"subscribe": {"events": true}}`, "event:A", "plugin:q"}, []string{"event:A"}},
		{"false means none", true, []string{`{"subscribe": {"events": false, "plugins": false}}`, "event:A", "plugin:q"}, nil},
		{"a later subscribe replaces", true, []string{`{"subscribe": {}}`, `{"subscribe": {"plugins": true}}`, "event:A", "plugin:q"}, []string{"plugin:q"}},
		{"malformed subscribe is ignored", true, []string{`{"subscribe": {"plugins": "p"}}`, "event:A", "plugin:q"}, []string{"event:A", "plugin:q"}},
		{"unknown message is ignored", true, []string{`{"hello": 1}`, "event:A"}, []string{"event:A"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := testClient(c.open)
			session := cl.hub.s.sessions.create(apiUser, "")
			for _, s := range c.steps {
				if s == "AUTH" {
					s = `{"auth": "_api:` + session + `"}`
				}
				cl.step(s)
			}
			if got := queued(cl); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("sent %v, want %v", got, c.want)
			}
		})
	}
}

// At most unauthedBacklog plugin messages wait for the authentication.
func TestSocketClientBacklogBound(t *testing.T) {
	cl := testClient(false)
	for range unauthedBacklog + 10 {
		cl.step("plugin:p")
	}
	cl.step(`{"auth": "_api:` + cl.hub.s.sessions.create(apiUser, "") + `"}`)
	if got := len(queued(cl)); got != unauthedBacklog {
		t.Errorf("%d kept messages sent, want %d", got, unauthedBacklog)
	}
}

func TestSocketThrottle(t *testing.T) {
	cases := []struct {
		msg  string
		want int // the factor after the message, from 1
	}{
		{`{"throttle": 2}`, 2},
		{`{"throttle": 3.9}`, 3},
		{`{"throttle": "4"}`, 4},
		{`{"throttle": 0}`, 1},
		{`{"throttle": -2}`, 1},
		{`{"throttle": "fast"}`, 1},
		{`{"throttle": 1e300}`, 1},
		{`{"throttle": null}`, 1},
		{`{"throttle": [2]}`, 1},
	}
	for _, c := range cases {
		cl := testClient(false)
		cl.handle([]byte(c.msg))
		if got := cl.currentInterval(); got != time.Duration(c.want)*500*time.Millisecond {
			t.Errorf("%s: current messages every %v, want %v", c.msg, got, time.Duration(c.want)*500*time.Millisecond)
		}
	}
}

// The state part of a subscription, kept for the printer's updates.
func TestSocketSubscribeState(t *testing.T) {
	cases := []struct {
		state                 string
		on, allLogs, allMsgs  bool
		logPattern, malformed string
	}{
		{state: `true`, on: true, allLogs: true},
		{state: `false`},
		{state: `{"logs": true, "messages": true}`, on: true, allLogs: true, allMsgs: true},
		{state: `{"logs": "^Recv: "}`, on: true, logPattern: "^Recv: "},
		{state: `{}`, on: true},
		{state: `{"logs": "("}`, malformed: "pattern"},
		{state: `"yes"`, malformed: "neither"},
	}
	for _, c := range cases {
		sub, err := parseSubscription(json.RawMessage(`{"state": ` + c.state + `}`))
		switch {
		case c.malformed != "":
			if err == nil || !strings.Contains(err.Error(), c.malformed) {
				t.Errorf("state %s: error %v, want one about %q", c.state, err, c.malformed)
			}
			continue
		case err != nil:
			t.Errorf("state %s: %v", c.state, err)
			continue
		}
		pattern := ""
		if sub.logLines.re != nil {
			pattern = sub.logLines.re.String()
		}
		if sub.state != c.on || sub.logLines.all != c.allLogs || sub.messageLines.all != c.allMsgs || pattern != c.logPattern {
			t.Errorf("state %s: %+v", c.state, sub)
		}
	}
}

// A login session lives while a socket client holds it and for
// sessionStaleAfter after its last use; beyond maxSessions the least
// recently used one no client holds ends.
func TestLoginSessions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ls := newLoginSessions()
	ls.now = func() time.Time { return now }

	held, idle := ls.create(apiUser, ""), ls.create(apiUser, "")
	if !ls.attach(apiUser, held) || ls.attach("ada", idle) || ls.attach(apiUser, "nope") {
		t.Fatal("attach takes a live session of its user only")
	}
	now = now.Add(sessionStaleAfter)
	if ls.attach(apiUser, idle) {
		t.Error("a session unused for sessionStaleAfter is still live")
	}
	if !ls.attach(apiUser, held) {
		t.Error("a session a socket holds went stale")
	}
	ls.detach(held)
	ls.detach(held)
	now = now.Add(sessionStaleAfter - time.Second)
	if ls.len() != 1 {
		t.Errorf("%d sessions, want the one released a moment ago", ls.len())
	}
	now = now.Add(time.Second)
	if ls.len() != 0 {
		t.Errorf("%d sessions, want none", ls.len())
	}

	first := ls.create(apiUser, "")
	for range maxSessions {
		now = now.Add(time.Millisecond)
		ls.create(apiUser, "")
	}
	if ls.len() != maxSessions || ls.attach(apiUser, first) {
		t.Errorf("%d sessions (want %d), and the oldest should be gone", ls.len(), maxSessions)
	}
}

func TestExternalClient(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:5000": false, "[::1]:5000": false, "192.168.1.20:4000": false, "10.0.0.1:1": false,
		"[fe80::1]:1": false, "[fd00::1]:1": false, "[::ffff:192.168.1.2]:1": false, "@": false,
		"8.8.8.8:1": true, "[2001:db8::1]:1": true,
	} {
		if got := external(addr); got != want {
			t.Errorf("external(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestSockJSPathsAndOrigins(t *testing.T) {
	for p, want := range map[string]bool{
		"/sockjs/info": true, "/sockjs/1/a/xhr": true, "/sockjs/websocket": true, "/sockjs/1/a/eventsource": true,
		"/sockjs/1/a/jsonp": false, "/sockjs/1/a/jsonp_send": false, "/sockjs/iframe.html": false, "/sockjs/iframe-1.6.1.html": false,
	} {
		if got := offeredSockJSPath(p); got != want {
			t.Errorf("offeredSockJSPath(%s) = %v, want %v", p, got, want)
		}
	}
	for origin, want := range map[string]bool{
		"": true, "http://localhost:5000": true, "https://LOCALHOST:5000": true,
		"http://localhost:5001": false, "http://evil.example": false, "null": false,
	} {
		r := &http.Request{Host: "localhost:5000", Header: http.Header{}}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if got := sameOrigin(r); got != want {
			t.Errorf("sameOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
}
