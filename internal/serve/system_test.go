package serve_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/serve"
)

// The system commands as OctoPrint lists them: core only, the restarts
// only where the server can restart; every request needs the key.
func TestSystemCommandsListing(t *testing.T) {
	for _, restartable := range []bool{true, false} {
		h := start(t, setup{restartable: restartable})
		var all map[string][]serve.SystemCommand
		if err := json.Unmarshal(apiCase{method: "GET", path: "/api/system/commands", key: "good", wantStatus: 200}.run(t, h).body, &all); err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || len(all["plugin"]) != 0 || len(all["custom"]) != 0 || all["plugin"] == nil || all["custom"] == nil {
			t.Errorf("restartable %v: sources %v, want core, plugin and custom, the last two empty lists", restartable, all)
		}
		var actions []string
		for _, c := range all["core"] {
			actions = append(actions, c.Action)
			if c.Source != "core" || c.Name == "" || c.Confirm == "" || c.Resource != h.url+"/api/system/commands/core/"+c.Action {
				t.Errorf("restartable %v: command %+v", restartable, c)
			}
		}
		want := []string{"shutdown", "restart", "restart_safe"}
		if !restartable {
			want = want[:1]
		}
		if len(actions) != len(want) || actions[0] != want[0] || (restartable && (actions[1] != want[1] || actions[2] != want[2])) {
			t.Errorf("restartable %v: core commands %q, want %q", restartable, actions, want)
		}
		var core []serve.SystemCommand
		if err := json.Unmarshal(apiCase{method: "GET", path: "/api/system/commands/core", key: "good", wantStatus: 200}.run(t, h).body, &core); err != nil || len(core) != len(want) {
			t.Errorf("restartable %v: GET core: %v, %v", restartable, core, err)
		}
		for _, c := range []apiCase{
			{name: "no key", method: "GET", path: "/api/system/commands", wantStatus: 401},
			{name: "wrong key", method: "GET", path: "/api/system/commands", key: "nope", wantStatus: 403},
			{name: "source without key", method: "GET", path: "/api/system/commands/core", wantStatus: 401},
			{name: "restart without key", method: "POST", path: "/api/system/commands/core/restart", wantStatus: 401},
			{name: "restart with a wrong key", method: "POST", path: "/api/system/commands/core/restart", key: "nope", wantStatus: 403},
			{name: "shutdown without key", method: "POST", path: "/api/system/commands/core/shutdown", wantStatus: 401},
			{name: "unknown source", method: "GET", path: "/api/system/commands/printer", key: "good", wantStatus: 404},
			{name: "unknown command", method: "POST", path: "/api/system/commands/core/reboot", key: "good", wantStatus: 404},
			{name: "custom command", method: "POST", path: "/api/system/commands/custom/restart", key: "good", wantStatus: 404},
			{name: "divider", method: "POST", path: "/api/system/commands/core/divider", key: "good", wantStatus: 400},
		} {
			c.run(t, h)
		}
		if !restartable {
			apiCase{method: "POST", path: "/api/system/commands/core/restart", key: "good", wantStatus: 404, wantError: "cannot restart itself"}.run(t, h)
		}
		select {
		case <-h.done:
			t.Fatalf("restartable %v: the server stopped after refused commands", restartable)
		default:
		}
	}
}

// A restart, a safe restart and a shutdown answer 204, tell the socket's
// clients (authenticated or not), and end Run cleanly, with the stop asked
// for (the command re-executes the server; see the end-to-end test).
func TestSystemCommandStops(t *testing.T) {
	for _, c := range []struct {
		action string
		want   serve.StopRequest
	}{
		{"restart", serve.StopRequest{Restart: true}},
		{"restart_safe", serve.StopRequest{Restart: true, SafeMode: true}},
		{"shutdown", serve.StopRequest{}},
	} {
		t.Run(c.action, func(t *testing.T) {
			h := start(t, setup{restartable: true})
			plain, sockjs := dial(t, h), dialTransport(t, h, sockjsWS)
			for _, s := range []*socket{plain, sockjs} {
				s.next(t, "connected", nil)
			}
			if _, asked := h.srv.StopRequested(); asked {
				t.Fatal("a stop asked for before any command")
			}
			apiCase{method: "POST", path: "/api/system/commands/core/" + c.action, key: "good", wantStatus: http.StatusNoContent}.run(t, h)
			for _, s := range []*socket{plain, sockjs} {
				m := s.next(t, "stopping", nil)
				if m["restart"] != c.want.Restart || m["safe_mode"] != c.want.SafeMode {
					t.Errorf("%s: stopping %v, want %+v", s.tr.name, m, c.want)
				}
			}
			select {
			case <-h.done:
			case <-time.After(deadline):
				t.Fatal("Run did not return after the command")
			}
			if h.runErr != nil {
				t.Errorf("Run: %v", h.runErr)
			}
			if req, asked := h.srv.StopRequested(); !asked || req != c.want {
				t.Errorf("StopRequested: %+v %v, want %+v", req, asked, c.want)
			}
			safe, _ := dig(readConfig(t, h.dir), "server.startOnceInSafeMode")
			if (safe == true) != c.want.SafeMode {
				t.Errorf("server.startOnceInSafeMode %v after %s", safe, c.action)
			}
			if calls := h.calls(); len(calls) == 0 || calls[len(calls)-1] != "shutdown" {
				t.Errorf("demo's calls %q, want its shutdown last", calls)
			}
		})
	}
}

// A stop that no command asked for (a signal) tells the socket's clients
// too, as a shutdown.
func TestStopTellsSockets(t *testing.T) {
	h := start(t, setup{})
	s := dialTransport(t, h, sockjsRaw)
	s.next(t, "connected", nil)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if m := s.next(t, "stopping", nil); m["restart"] != false || m["safe_mode"] != false {
		t.Errorf("stopping %v, want neither a restart nor safe mode", m)
	}
}

// A restart asked for while an install runs waits for it: the install
// completes (rather than being abandoned and rolled back by the stop).
func TestRestartWaitsForInstall(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	archive := watchedZip(t, "1.0.0", false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Write(archive)
	}))
	defer srv.Close()
	h := start(t, setup{restartable: true, folder: true})
	apiCase{method: "POST", path: "/api/plugin/pluginmanager", key: "good", body: map[string]any{"command": "install", "url": srv.URL + "/watched.zip"}, wantStatus: 200}.run(t, h)
	<-arrived
	apiCase{method: "POST", path: "/api/system/commands/core/restart", key: "good", wantStatus: http.StatusNoContent}.run(t, h)
	close(release)
	select {
	case <-h.done:
	case <-time.After(deadline):
		t.Fatal("Run did not return after the install")
	}
	if _, err := os.Stat(h.path("plugins", "watched", "watched.go")); err != nil {
		t.Errorf("the install did not complete before the restart: %v", err)
	}
}
