package serve_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hostPaths are requests of every kind the server answers: its API, the
// Plugin Manager's listing, a plugin's simple API, routes and static files,
// the web page. Each answers 200 for an allowed host.
var hostPaths = []struct{ method, path, key string }{
	{"GET", "/api/version", ""},
	{"GET", "/api/server", ""},
	{"GET", "/api/settings", ""},
	{"GET", "/api/settings", "good"},
	{"GET", "/api/plugin/demo", ""},
	{"POST", "/api/plugin/demo", "good"},
	{"GET", "/plugin/pluginmanager/plugins", ""},
	{"GET", "/plugin/demo/hello", ""},
	{"GET", "/plugin/demo/static/js/demo.js", ""},
	{"GET", "/", ""},
}

// request sends one of hostPaths with Host header host.
func (h *harness) hostRequest(method, path, key, host string) response {
	h.t.Helper()
	if key == "good" {
		key = h.key
	}
	var body any
	if method == "POST" {
		body = map[string]any{"command": "greet", "name": "host"}
	}
	return h.do(method, path, key, body, "Host", host)
}

// dialHost opens the socket with Host header host and returns the status
// of the answer to the upgrade (101 when it was accepted).
func dialHost(t *testing.T, h *harness, host string) int {
	t.Helper()
	return dialStatus(t, h, "/api/socket", host, "")
}

// TestHostHeaderChecked: the server answers only requests whose Host
// header names it (localhost, an IP address, the names configured in
// server.allowedHosts or given with --allowed-host), so that a web page
// using DNS rebinding can neither read the API nor open the socket.
func TestHostHeaderChecked(t *testing.T) {
	h := start(t, setup{
		config:       "server:\n  allowedHosts: [OctoPi.local, .example.net]\n",
		allowedHosts: []string{"flag.test"},
	})
	port := strings.TrimPrefix(h.url, "http://127.0.0.1")
	allowed := []string{
		"127.0.0.1" + port, "localhost" + port, "LOCALHOST", "localhost.", "[::1]" + port, "127.0.0.2:80",
		"192.168.1.20:5000", "[fe80::1]", // an IP address cannot be rebound
		"octopi.local" + port, "octopi.local", "example.net", "printer.example.net:443", "flag.test" + port,
	}
	refused := []string{
		"evil.example" + port, "evil.example", "localhost.evil.example", "octopi.local.evil.example",
		"notexample.net", "127.0.0.1.nip.io" + port,
	}
	for _, host := range allowed {
		for _, p := range hostPaths {
			if r := h.hostRequest(p.method, p.path, p.key, host); r.status != http.StatusOK {
				t.Errorf("%s %s with Host %s: %d, want 200: %s", p.method, p.path, host, r.status, r.body)
			}
		}
		if got := dialHost(t, h, host); got != http.StatusSwitchingProtocols {
			t.Errorf("socket with Host %s: %d, want 101", host, got)
		}
	}
	for _, host := range refused {
		for _, p := range hostPaths {
			r := h.hostRequest(p.method, p.path, p.key, host)
			msg := r.errorMessage()
			if r.status != http.StatusForbidden || !strings.Contains(msg, "DNS rebinding") || !strings.Contains(msg, "server.allowedHosts") ||
				!strings.Contains(msg, "--allowed-host "+strings.TrimSuffix(host, port)) {
				t.Errorf("%s %s with Host %s: %d %s, want 403 saying why and how to allow it", p.method, p.path, host, r.status, r.body)
			}
		}
		if got := dialHost(t, h, host); got != http.StatusForbidden {
			t.Errorf("socket with Host %s: %d, want 403", host, got)
		}
	}
}

// TestHostHeaderCheckOff: "*" in server.allowedHosts answers every host
// (with a warning at start); a value that is not a list is ignored with a
// warning and the defaults hold.
func TestHostHeaderCheckOff(t *testing.T) {
	t.Run("star", func(t *testing.T) {
		h := start(t, setup{config: "server:\n  allowedHosts: ['*']\n"})
		for _, p := range hostPaths {
			if r := h.hostRequest(p.method, p.path, p.key, "evil.example"); r.status != http.StatusOK {
				t.Errorf("%s %s with Host evil.example and allowedHosts *: %d, want 200: %s", p.method, p.path, r.status, r.body)
			}
		}
		if got := dialHost(t, h, "evil.example"); got != http.StatusSwitchingProtocols {
			t.Errorf("socket with Host evil.example and allowedHosts *: %d, want 101", got)
		}
		if !strings.Contains(h.console.String(), "the Host header is not checked") {
			t.Errorf("no warning that the check is off:\n%s", h.console)
		}
	})
	t.Run("flag star", func(t *testing.T) {
		h := start(t, setup{allowedHosts: []string{"*"}})
		if r := h.hostRequest("GET", "/api/settings", "", "evil.example"); r.status != http.StatusOK {
			t.Errorf("GET /api/settings with Host evil.example and --allowed-host '*': %d, want 200", r.status)
		}
	})
	t.Run("not a list", func(t *testing.T) {
		h := start(t, setup{config: "server:\n  allowedHosts: {evil.example: true}\n"})
		if r := h.hostRequest("GET", "/api/settings", "", "evil.example"); r.status != http.StatusForbidden {
			t.Errorf("GET /api/settings with Host evil.example: %d, want 403", r.status)
		}
		if r := h.hostRequest("GET", "/api/settings", "", "localhost"); r.status != http.StatusOK {
			t.Errorf("GET /api/settings with Host localhost: %d, want 200", r.status)
		}
		if !strings.Contains(h.console.String(), "server.allowedHosts is") {
			t.Errorf("no warning about the value:\n%s", h.console)
		}
	})
	t.Run("single name", func(t *testing.T) {
		h := start(t, setup{config: "server:\n  allowedHosts: octopi.local\n"})
		if r := h.hostRequest("GET", "/api/settings", "", "octopi.local:5000"); r.status != http.StatusOK {
			t.Errorf("GET /api/settings with Host octopi.local and allowedHosts octopi.local: %d, want 200", r.status)
		}
	})
}

// TestHostHeaderURLForms: the URL a client is given by a reverse proxy
// (scheme, port) does not matter, only the name.
func TestHostHeaderURLForms(t *testing.T) {
	h := start(t, setup{config: "server:\n  allowedHosts: ['printer.example.net:8443']\n"})
	u, _ := url.Parse("https://printer.example.net/")
	if r := h.hostRequest("GET", "/api/version", "", u.Host); r.status != http.StatusOK {
		t.Errorf("Host %s with allowedHosts printer.example.net:8443: %d, want 200 (ports are not compared)", u.Host, r.status)
	}
}
