package serve_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// passiveLogin logs in passively with the API key and returns the session.
func passiveLogin(t *testing.T, h *harness) string {
	t.Helper()
	r := h.do("POST", "/api/login", h.key, map[string]any{"passive": true})
	if r.status != http.StatusOK {
		t.Fatalf("passive login: %d %s", r.status, r.body)
	}
	var v struct{ Name, Session string }
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("passive login: %v: %s", err, r.body)
	}
	if v.Name != "_api" || v.Session == "" {
		t.Fatalf("passive login answered %s, want the user _api and a session", r.body)
	}
	return v.Session
}

// The login endpoints answer what OctoPrint's answer, with the API key's
// user (_api) or the guest: passive login, logout, current user.
func TestLoginEndpoints(t *testing.T) {
	h := start(t, setup{})
	cases := []struct {
		name       string
		method     string
		path       string
		key        string // "good" for the server's key
		body       any
		wantStatus int
		fixture    string // the answer's shape; "" for an error
		wantError  string
	}{
		{name: "passive with the key", method: "POST", path: "/api/login", key: "good", body: map[string]any{"passive": true}, wantStatus: 200, fixture: "login_key"},
		{name: "passive false counts as passive", method: "POST", path: "/api/login", key: "good", body: map[string]any{"passive": false}, wantStatus: 200, fixture: "login_key"},
		{name: "passive without credentials", method: "POST", path: "/api/login", body: map[string]any{"passive": true}, wantStatus: 200, fixture: "login_guest"},
		{name: "passive with a wrong key", method: "POST", path: "/api/login", key: "wrong", body: map[string]any{"passive": true}, wantStatus: 403, wantError: "wrong API key"},
		{name: "user and password", method: "POST", path: "/api/login", body: map[string]any{"user": "ada", "pass": "secret", "remember": true}, wantStatus: 403, wantError: "wrong user name or password"},
		{name: "user and password with the key", method: "POST", path: "/api/login", key: "good", body: map[string]any{"user": "_api", "pass": ""}, wantStatus: 403, wantError: "wrong user name or password"},
		{name: "neither", method: "POST", path: "/api/login", body: map[string]any{"user": "ada"}, wantStatus: 400, wantError: `neither "user" and "pass" nor "passive"`},
		{name: "not an object", method: "POST", path: "/api/login", body: []any{"passive"}, wantStatus: 400, wantError: "not valid JSON"},
		{name: "logout", method: "POST", path: "/api/logout", body: map[string]any{}, wantStatus: 200, fixture: "logout"},
		{name: "logout with the key", method: "POST", path: "/api/logout", key: "good", body: map[string]any{}, wantStatus: 200, fixture: "logout"},
		{name: "current user with the key", method: "GET", path: "/api/currentuser", key: "good", wantStatus: 200, fixture: "currentuser_key"},
		{name: "current user without", method: "GET", path: "/api/currentuser", wantStatus: 200, fixture: "currentuser_guest"},
		{name: "GET login", method: "GET", path: "/api/login", wantStatus: 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := c.key
			if key == "good" {
				key = h.key
			}
			r := h.do(c.method, c.path, key, c.body)
			if r.status != c.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, r.status, r.body, c.wantStatus)
			}
			if c.fixture != "" {
				checkFixture(t, c.fixture, r.body)
			}
			if c.wantError != "" && !strings.Contains(r.errorMessage(), c.wantError) {
				t.Errorf("error %q, want it to contain %q", r.errorMessage(), c.wantError)
			}
		})
	}
}

// Every passive login with the key makes a new session.
func TestLoginSessionsDiffer(t *testing.T) {
	h := start(t, setup{})
	if a, b := passiveLogin(t, h), passiveLogin(t, h); a == b {
		t.Errorf("two passive logins got the same session %s", a)
	}
}
