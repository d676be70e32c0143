package serve_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/users"
)

// Passwords of the users of withUsers.
const (
	adaPassword = "correct horse"  // ada is an admin
	bobPassword = "battery staple" // bob may only read
)

// withUsers starts a server whose users.yaml has ada (admin) and bob (read
// only), on the clock now (nil: the real one).
func withUsers(t *testing.T, now func() time.Time) *harness {
	t.Helper()
	return start(t, setup{dir: usersDir(t), now: now})
}

// usersDir returns a new base directory with ada and bob in users.yaml.
// Their hashes are argon2id with the least memory and time (the server
// takes the parameters a hash names): the race detector makes the real
// ones slow, and the tests log in often.
func usersDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, users.FileName), "users:\n"+
		"  ada:\n    admin: true\n    password: "+cheapHash(adaPassword)+"\n"+
		"  bob:\n    password: "+cheapHash(bobPassword)+"\n")
	return dir
}

func cheapHash(password string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(password), salt, 1, 8, 1, 32)
	enc := base64.RawStdEncoding
	return "$argon2id$v=19$m=8,t=1,p=1$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// changeUsers changes the server's users.yaml as tentacle users does.
func changeUsers(t *testing.T, h *harness, change func(*users.Users) error) {
	t.Helper()
	path := h.path(users.FileName)
	u, err := users.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := change(u); err != nil {
		t.Fatal(err)
	}
	if err := u.Save(path); err != nil {
		t.Fatal(err)
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// cookieClient is a client with a cookie jar, as a browser keeps cookies.
type cookieClient struct {
	h      *harness
	jar    *cookiejar.Jar
	client *http.Client
}

func newBrowser(h *harness) *cookieClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return &cookieClient{h: h, jar: jar, client: &http.Client{Jar: jar, Transport: &http.Transport{}, Timeout: deadline}}
}

// do sends a request (see harness.do) with the client's cookies.
func (b *cookieClient) do(method, path string, body any, header ...string) response {
	b.h.t.Helper()
	return b.h.send(b.client, method, path, "", body, header...)
}

// write sends a change as the server's page does: with the CSRF token.
func (b *cookieClient) write(method, path string, body any) response {
	b.h.t.Helper()
	return b.do(method, path, body, "X-CSRF-Token", b.cookie("csrf_token"))
}

// cookie returns the value of the browser's cookie base_P<port>.
func (b *cookieClient) cookie(base string) string {
	u, _ := url.Parse(b.h.url)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == base+"_P"+u.Port() {
			return c.Value
		}
	}
	return ""
}

// login logs the browser in and returns the answer.
func (b *cookieClient) login(user, pass string, remember bool) response {
	b.h.t.Helper()
	return b.do("POST", "/api/login", map[string]any{"user": user, "pass": pass, "remember": remember})
}

// mustLogin logs in and fails the test unless it worked.
func (b *cookieClient) mustLogin(user, pass string) {
	b.h.t.Helper()
	if r := b.login(user, pass, false); r.status != http.StatusOK {
		b.h.t.Fatalf("login %q: %d %s", user, r.status, r.body)
	}
}

// currentUser returns the name GET /api/currentuser answers ("" for the
// guest) and its permissions.
func (b *cookieClient) currentUser() (string, []string) {
	b.h.t.Helper()
	r := b.do("GET", "/api/currentuser", nil)
	var v struct {
		Name        *string
		Permissions []string
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil {
		b.h.t.Fatalf("currentuser: %d %s", r.status, r.body)
	}
	if v.Name == nil {
		return "", v.Permissions
	}
	return *v.Name, v.Permissions
}

// loginAnswer is what a login answers, in part.
type loginAnswer struct {
	Name           string
	Admin          bool
	Session        string
	Groups         []string
	APIKey         *string `json:"apikey"`
	LoginMechanism string  `json:"_login_mechanism"`
}

func decodeLogin(t *testing.T, r response) loginAnswer {
	t.Helper()
	var v loginAnswer
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("login answer %s: %v", r.body, err)
	}
	return v
}

// A login with a user name and password, or an empty name and the API key,
// answers OctoPrint's user record and sets the cookies; wrong credentials
// are 403 and set none.
func TestBrowserLogin(t *testing.T) {
	h := withUsers(t, nil)
	cases := []struct {
		name, user, pass string
		wantStatus       int
		wantName         string
		wantAdmin        bool
	}{
		{"admin", "ada", adaPassword, 200, "ada", true},
		{"read-only", "bob", bobPassword, 200, "bob", false},
		{"API key", "", h.key, 200, "_api", true},
		{"wrong password", "ada", bobPassword, 403, "", false},
		{"password of another case", "ada", strings.ToUpper(adaPassword), 403, "", false},
		{"unknown user", "carol", adaPassword, 403, "", false},
		{"API key with a name", "ada", h.key, 403, "", false},
		{"API key's user by name", "_api", h.key, 403, "", false},
		{"empty", "", "", 403, "", false},
		{"wrong key", "", "0123456789abcdef0123456789abcdef", 403, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowser(h)
			r := b.login(c.user, c.pass, false)
			if r.status != c.wantStatus {
				t.Fatalf("login: %d %s, want %d", r.status, r.body, c.wantStatus)
			}
			name, _ := b.currentUser()
			if c.wantStatus != 200 {
				if r.errorMessage() != "wrong user name or password" {
					t.Errorf("error %q", r.errorMessage())
				}
				if b.cookie("session") != "" || name != "" {
					t.Errorf("a failed login set a session cookie (%q) or a user (%q)", b.cookie("session"), name)
				}
				// A success clears the address's failures (TestLoginThrottle).
				b.mustLogin("ada", adaPassword)
				return
			}
			got := decodeLogin(t, r)
			if got.Name != c.wantName || got.Admin != c.wantAdmin || got.Session == "" || got.APIKey != nil || got.LoginMechanism != "password" {
				t.Errorf("login answered %s", r.body)
			}
			if strings.Contains(string(r.body), h.key) {
				t.Errorf("the answer holds the API key: %s", r.body)
			}
			if name != c.wantName {
				t.Errorf("current user %q, want %q", name, c.wantName)
			}
			if b.cookie("csrf_token") == "" {
				t.Error("no CSRF cookie")
			}
		})
	}
}

// The answer of a password login has the fields of the passive one.
func TestBrowserLoginShape(t *testing.T) {
	h := withUsers(t, nil)
	r := newBrowser(h).login("ada", adaPassword, false)
	var got, passive map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(h.do("POST", "/api/login", h.key, map[string]any{"passive": true}).body, &passive); err != nil {
		t.Fatal(err)
	}
	for k := range passive {
		if _, ok := got[k]; !ok {
			t.Errorf("the password login's answer has no %q: %s", k, r.body)
		}
	}
}

// The cookies: session_P<port> HttpOnly, csrf_token_P<port> readable by the
// page, both SameSite=Lax and path /; ending with the browser unless
// remembered (30 days); Secure when the browser came over TLS.
func TestLoginCookieAttributes(t *testing.T) {
	h := withUsers(t, nil)
	port := h.url[strings.LastIndex(h.url, ":")+1:]
	for _, c := range []struct {
		name     string
		remember any
		header   []string
		maxAge   int
		secure   bool
	}{
		{"cookieClient session", false, nil, 0, false},
		{"remembered", true, nil, 30 * 24 * 3600, false},
		{"remembered by a string", "yes", nil, 30 * 24 * 3600, false},
		{"over TLS", false, []string{"X-Forwarded-Proto", "https"}, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("POST", "/api/login", "", map[string]any{"user": "ada", "pass": adaPassword, "remember": c.remember}, c.header...)
			if r.status != 200 {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			cookies := (&http.Response{Header: r.header}).Cookies()
			seen := map[string]bool{}
			for _, ck := range cookies {
				seen[ck.Name] = true
				wantHTTPOnly := ck.Name == "session_P"+port
				if ck.HttpOnly != wantHTTPOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != c.maxAge || ck.Secure != c.secure || ck.Value == "" {
					t.Errorf("cookie %s: %s", ck.Name, ck.String())
				}
			}
			if !seen["session_P"+port] || !seen["csrf_token_P"+port] || len(cookies) != 2 {
				t.Errorf("cookies %v, want session_P%s and csrf_token_P%s", r.header["Set-Cookie"], port, port)
			}
		})
	}
	// The port is the one the browser used (the Host header's).
	r := h.do("POST", "/api/login", "", map[string]any{"user": "ada", "pass": adaPassword}, "Host", "localhost:8080")
	if sc := strings.Join(r.header["Set-Cookie"], "\n"); !strings.Contains(sc, "session_P8080=") {
		t.Errorf("cookies for Host localhost:8080: %s", sc)
	}
}

// Logout ends the session on the server: the cookie, kept by someone,
// no longer works. Its socket sessions end too.
func TestLogoutRevokes(t *testing.T) {
	h := withUsers(t, nil)
	b := newBrowser(h)
	b.mustLogin("ada", adaPassword)
	stolen := b.cookie("session")
	token := b.cookie("csrf_token")
	sock := passiveSession(t, b)
	if name, _ := b.currentUser(); name != "ada" {
		t.Fatalf("current user %q", name)
	}
	r := b.write("POST", "/api/logout", map[string]any{})
	if r.status != 200 || !strings.Contains(string(r.body), `"needs"`) {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if b.cookie("session") != "" || b.cookie("csrf_token") != "" {
		t.Error("logout left the cookies")
	}
	if name, _ := b.currentUser(); name != "" {
		t.Errorf("current user after logout %q", name)
	}
	port := h.url[strings.LastIndex(h.url, ":")+1:]
	replay := h.do("POST", "/api/plugin/demo", "", map[string]any{"command": "fire", "event": "x"},
		"Cookie", "session_P"+port+"="+stolen+"; csrf_token_P"+port+"="+token, "X-CSRF-Token", token)
	if replay.status != http.StatusUnauthorized {
		t.Errorf("the old cookie after logout: %d %s, want 401", replay.status, replay.body)
	}
	s := dialTransport(t, h, sockjsRaw)
	s.next(t, "connected", nil)
	s.send(map[string]any{"auth": "ada:" + sock})
	if got := s.next(t, "reauthRequired", nil); got["reason"] != "stale" {
		t.Errorf("socket session after logout: %v", got)
	}
}

// passiveSession logs the browser in passively (as OctoPrint's page does
// on load, from its cookie) and returns the socket session.
func passiveSession(t *testing.T, b *cookieClient) string {
	t.Helper()
	r := b.write("POST", "/api/login", map[string]any{"passive": true})
	if r.status != 200 {
		t.Fatalf("passive login: %d %s", r.status, r.body)
	}
	v := decodeLogin(t, r)
	if v.Session == "" {
		t.Fatalf("passive login without a session: %s", r.body)
	}
	return v.Session
}

// A passive login with the session cookie answers the session's user, with
// a socket session that authenticates the socket; without the cookie, the
// guest.
func TestPassiveLoginFromCookie(t *testing.T) {
	h := withUsers(t, nil)
	for _, c := range []struct {
		user, pass string
		remember   bool
		mechanism  string
		groups     string
	}{
		{"ada", adaPassword, false, "password", "admins,users"},
		{"bob", bobPassword, true, "remember_me", "readonly"},
	} {
		t.Run(c.user, func(t *testing.T) {
			b := newBrowser(h)
			if r := b.login(c.user, c.pass, c.remember); r.status != 200 {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			// No CSRF token needed: the page may have none yet.
			r := b.do("POST", "/api/login", map[string]any{"passive": true})
			v := decodeLogin(t, r)
			if r.status != 200 || v.Name != c.user || v.LoginMechanism != c.mechanism || strings.Join(v.Groups, ",") != c.groups || v.Session == "" {
				t.Fatalf("passive login: %d %s", r.status, r.body)
			}
			s := dialTransport(t, h, sockjsRaw)
			s.next(t, "connected", nil)
			fire(t, h, "before")
			s.send(map[string]any{"auth": c.user + ":" + v.Session})
			s.next(t, "plugin", fired("before"))
		})
	}
	r := newBrowser(h).do("POST", "/api/login", map[string]any{"passive": true})
	if r.status != 200 || strings.Contains(string(r.body), `"name"`) {
		t.Errorf("passive login without a cookie: %d %s", r.status, r.body)
	}
}

// A change made with the session cookie needs the CSRF token and must not
// come from another site; one with the API key needs neither.
func TestCSRF(t *testing.T) {
	h := withUsers(t, nil)
	b := newBrowser(h)
	b.mustLogin("ada", adaPassword)
	token := b.cookie("csrf_token")
	fireBody := map[string]any{"command": "fire", "event": "x"}
	cases := []struct {
		name       string
		key        string
		header     []string
		wantStatus int
		wantError  string
	}{
		{"no token", "", nil, 400, "CSRF validation failed"},
		{"wrong token", "", []string{"X-CSRF-Token", "nope"}, 400, "CSRF validation failed"},
		{"token of the cookie", "", []string{"X-CSRF-Token", token}, 204, ""},
		{"same origin", "", []string{"X-CSRF-Token", token, "Origin", h.url}, 204, ""},
		{"same origin by referer", "", []string{"X-CSRF-Token", token, "Referer", h.url + "/"}, 204, ""},
		{"behind a proxy", "", []string{"X-CSRF-Token", token, "Origin", "https://printer.example", "X-Forwarded-Host", "printer.example"}, 204, ""},
		{"cross-site origin", "", []string{"X-CSRF-Token", token, "Origin", "http://evil.example"}, 403, "cross-site request refused"},
		{"cross-site referer", "", []string{"X-CSRF-Token", token, "Referer", "http://evil.example/page"}, 403, "cross-site request refused"},
		{"null origin", "", []string{"X-CSRF-Token", token, "Origin", "null"}, 403, "cross-site request refused"},
		{"API key without token", h.key, nil, 204, ""},
		{"API key from another site", h.key, []string{"Origin", "http://evil.example"}, 204, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(b.client, "POST", "/api/plugin/demo", c.key, fireBody, c.header...)
			if r.status != c.wantStatus {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.wantStatus)
			}
			if !strings.Contains(r.errorMessage(), c.wantError) {
				t.Errorf("error %q, want %q", r.errorMessage(), c.wantError)
			}
		})
	}
	// A form (urlencoded) carries the token in the field csrf_token: it
	// passes the check (and then the endpoint wants JSON).
	for _, c := range []struct {
		form       string
		wantStatus int
	}{{"csrf_token=" + token, 415}, {"csrf_token=nope", 400}} {
		r := h.send(b.client, "POST", "/api/plugin/demo", "", c.form, "Content-Type", "application/x-www-form-urlencoded")
		if r.status != c.wantStatus {
			t.Errorf("form %s: %d %s, want %d", c.form, r.status, r.body, c.wantStatus)
		}
	}
	// SockJS's HTTP transports post without a token: the cookie gives the
	// socket nothing (its clients log in with their auth message).
	// (A session that does not exist: SockJS's 404, not the CSRF check's 400.)
	if r := b.do("POST", "/sockjs/000/nosuchsession/xhr_send", "[]", "Content-Type", "text/plain"); r.status != 404 {
		t.Errorf("SockJS xhr_send with the session cookie: %d %s", r.status, r.body)
	}
	// A login from another site's page is refused too.
	r := newBrowser(h).do("POST", "/api/login", map[string]any{"user": "ada", "pass": adaPassword}, "Origin", "http://evil.example")
	if r.status != 403 || !strings.Contains(r.errorMessage(), "cross-site") {
		t.Errorf("cross-site login: %d %s", r.status, r.body)
	}
	// A read with the session gets the CSRF cookie back when it was lost.
	u, _ := url.Parse(h.url)
	b.jar.SetCookies(u, []*http.Cookie{{Name: "csrf_token_P" + u.Port(), Value: "", MaxAge: -1}})
	b.currentUser()
	if b.cookie("csrf_token") != token {
		t.Errorf("CSRF cookie after a read %q, want the session's %q", b.cookie("csrf_token"), token)
	}
}

// threeCallers starts a server with users and returns browsers logged in
// as ada (admin) and bob (read only), and one not logged in.
func threeCallers(t *testing.T) (h *harness, ada, bob, guest *cookieClient) {
	t.Helper()
	h = withUsers(t, nil)
	ada, bob, guest = newBrowser(h), newBrowser(h), newBrowser(h)
	ada.mustLogin("ada", adaPassword)
	bob.mustLogin("bob", bobPassword)
	return h, ada, bob, guest
}

// An admin user may do what the API key allows; any other user may only
// read: its changes are 403 and it does not see restricted settings.
func TestSessionRights(t *testing.T) {
	h, ada, bob, guest := threeCallers(t)
	for _, c := range []struct {
		who        *cookieClient
		name       string
		wantStatus int
		wantSecret any
		wantPerms  string
	}{
		{ada, "ada", 204, "s3cr3t", "ADMIN,STATUS,SETTINGS_READ,SETTINGS"},
		{bob, "bob", 403, nil, "STATUS,SETTINGS_READ"},
		{guest, "", 401, nil, ""},
	} {
		t.Run(c.name+"-", func(t *testing.T) {
			r := c.who.write("POST", "/api/plugin/demo", map[string]any{"command": "fire", "event": "x"})
			if r.status != c.wantStatus {
				t.Errorf("plugin command: %d %s, want %d", r.status, r.body, c.wantStatus)
			}
			if c.wantStatus == 403 && !strings.Contains(r.errorMessage(), `user "bob" may only read`) {
				t.Errorf("error %q", r.errorMessage())
			}
			r = c.who.write("POST", "/api/settings", map[string]any{"plugins": map[string]any{"demo": map[string]any{"count": 4}}})
			want := c.wantStatus
			if want == 204 {
				want = 200 // the settings answer with the settings
			}
			if r.status != want {
				t.Errorf("settings: %d %s", r.status, r.body)
			}
			r = c.who.do("GET", "/api/settings", nil)
			var v struct {
				Plugins map[string]map[string]any
			}
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatal(err)
			}
			if got := v.Plugins["demo"]["secret"]; got != c.wantSecret {
				t.Errorf("demo's secret %v, want %v", got, c.wantSecret)
			}
			if strings.Contains(string(r.body), h.key) {
				t.Error("the settings hold the API key")
			}
			name, perms := c.who.currentUser()
			if name != c.name || strings.Join(perms, ",") != c.wantPerms {
				t.Errorf("current user %q %v", name, perms)
			}
		})
	}
}

// Sessions end after their idle time or lifetime, remembered ones later;
// a stale cookie is cleared.
func TestSessionExpiry(t *testing.T) {
	clock := newFakeClock()
	h := withUsers(t, clock.now)
	short, long := newBrowser(h), newBrowser(h)
	short.mustLogin("ada", adaPassword)
	if r := long.login("ada", adaPassword, true); r.status != 200 {
		t.Fatal(r.status)
	}
	steps := []struct {
		advance     time.Duration
		short, long string
	}{
		{time.Hour, "ada", "ada"},                  // within the idle time: and used again
		{119 * time.Minute, "ada", "ada"},          // idle just under 2 h
		{2 * time.Hour, "", "ada"},                 // idle 2 h: the browser session ends
		{6*24*time.Hour + 23*time.Hour, "", "ada"}, // remembered: idle under 7 days
		{8 * 24 * time.Hour, "", ""},               // idle 8 days
	}
	for i, s := range steps {
		clock.advance(s.advance)
		if got, _ := short.currentUser(); got != s.short {
			t.Errorf("step %d: cookieClient session's user %q, want %q", i, got, s.short)
		}
		if got, _ := long.currentUser(); got != s.long {
			t.Errorf("step %d: remembered session's user %q, want %q", i, got, s.long)
		}
	}
	if short.cookie("session") != "" {
		t.Error("the stale session cookie was not cleared")
	}
	// A session used all the time still ends at its lifetime (24 h).
	busy := newBrowser(h)
	busy.mustLogin("ada", adaPassword)
	for range 23 {
		clock.advance(time.Hour)
		if got, _ := busy.currentUser(); got != "ada" {
			t.Fatalf("busy session ended early")
		}
	}
	clock.advance(time.Hour)
	if got, _ := busy.currentUser(); got != "" {
		t.Errorf("busy session outlived its lifetime: %q", got)
	}
}

// Changing a user's password or removing the user (tentacle users, while
// the server runs) ends its sessions, and asks its socket clients to
// authenticate again; other users keep theirs.
func TestUserChangesEndSessions(t *testing.T) {
	h := withUsers(t, nil)
	ada, bob := newBrowser(h), newBrowser(h)
	ada.mustLogin("ada", adaPassword)
	bob.mustLogin("bob", bobPassword)
	sock := passiveSession(t, ada)
	s := dialTransport(t, h, sockjsRaw)
	s.next(t, "connected", nil)
	s.send(map[string]any{"auth": "ada:" + sock})
	fire(t, h, "authed")
	s.next(t, "plugin", fired("authed"))

	changeUsers(t, h, func(u *users.Users) error { return u.SetPassword("ada", "a new password") })
	if name, _ := ada.currentUser(); name != "" {
		t.Errorf("ada's session outlived her password: %q", name)
	}
	if got := s.next(t, "reauthRequired", nil); got["reason"] != "modified" {
		t.Errorf("ada's socket: %v, want reason modified", got)
	}
	if name, _ := bob.currentUser(); name != "bob" {
		t.Errorf("bob's session ended with ada's password: %q", name)
	}
	if r := ada.login("ada", adaPassword, false); r.status != 403 {
		t.Errorf("the old password: %d", r.status)
	}
	ada.mustLogin("ada", "a new password")

	changeUsers(t, h, func(u *users.Users) error { return u.Remove("bob") })
	if name, _ := bob.currentUser(); name != "" {
		t.Errorf("removed bob still logged in")
	}
	if name, _ := ada.currentUser(); name != "ada" {
		t.Errorf("ada logged out by bob's removal")
	}
	// A users.yaml that does not parse: nobody logs in with a password.
	writeFile(t, h.path(users.FileName), "users: [")
	if name, _ := ada.currentUser(); name != "" {
		t.Errorf("ada logged in with a broken users.yaml")
	}
	if r := newBrowser(h).login("", h.key, false); r.status != 200 {
		t.Errorf("the API key with a broken users.yaml: %d", r.status)
	}
}

// Failed logins from an address slow it down: after five, each attempt
// must wait (1 s, then twice as long after each further failure); during
// the wait every attempt, even a right one, is 429 with Retry-After; a
// success clears the count.
func TestLoginThrottle(t *testing.T) {
	clock := newFakeClock()
	h := withUsers(t, clock.now)
	b := newBrowser(h)
	for i := range 5 {
		if r := b.login("ada", "wrong password", false); r.status != 403 {
			t.Fatalf("failure %d: %d %s", i+1, r.status, r.body)
		}
	}
	for _, c := range []struct {
		wait  time.Duration
		retry string
	}{{time.Second, "1"}, {2 * time.Second, "2"}, {4 * time.Second, "4"}} {
		r := b.login("ada", adaPassword, false)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != c.retry {
			t.Fatalf("during the wait: %d %s (Retry-After %q), want 429 and %s", r.status, r.body, r.header.Get("Retry-After"), c.retry)
		}
		clock.advance(c.wait - time.Millisecond)
		if r := b.login("ada", adaPassword, false); r.status != http.StatusTooManyRequests {
			t.Fatalf("just before the wait ends: %d", r.status)
		}
		clock.advance(time.Millisecond)
		if r := b.login("ada", "wrong again", false); r.status != 403 {
			t.Fatalf("after the wait: %d %s", r.status, r.body)
		}
	}
	clock.advance(8 * time.Second)
	b.mustLogin("ada", adaPassword)
	// The success cleared the count: five more failures before any wait.
	for i := range 5 {
		if r := b.login("ada", "wrong password", false); r.status != 403 {
			t.Fatalf("failure %d after a success: %d", i+1, r.status)
		}
	}
	// The API key as the password counts the same.
	if r := b.login("", h.key, false); r.status != http.StatusTooManyRequests {
		t.Errorf("the API key during the wait: %d", r.status)
	}
}

// Malformed login bodies are answered 400 (or 403, 415) and never log in.
func TestLoginMalformed(t *testing.T) {
	h := withUsers(t, nil)
	for _, c := range []struct {
		body       string
		header     []string
		wantStatus int
	}{
		{`{"user": 1, "pass": "x"}`, nil, 400},
		{`{"user": "ada", "pass": null}`, nil, 400},
		{`{"user": "ada", "pass": ["correct horse"]}`, nil, 400},
		{`{"user": "ada"}`, nil, 400},
		{`{"pass": "correct horse"}`, nil, 400},
		{`{}`, nil, 400},
		{`[]`, nil, 400},
		{`"user"`, nil, 400},
		{``, nil, 400},
		{`{"user": "ada", "pass": "correct horse"}}`, nil, 400},
		{`{"user": "ada", "pass": "correct horse"`, nil, 400},
		{`user=ada&pass=correct+horse`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{`{"user": "ada\u0000", "pass": "correct horse"}`, nil, 403},
		{`{"user": "ada", "pass": "correct horse\u0000"}`, nil, 403},
		{`{"user": "ada", "pass": "` + strings.Repeat("x", 5000) + `"}`, nil, 403},
		{`{"user": "ada", "pass": "correct horse", "remember": {"a": 1}}`, nil, 200},
	} {
		t.Run(c.body[:min(len(c.body), 40)], func(t *testing.T) {
			b := newBrowser(h)
			r := b.do("POST", "/api/login", c.body, c.header...)
			if r.status != c.wantStatus {
				t.Errorf("%d %s, want %d", r.status, r.body, c.wantStatus)
			}
			if c.wantStatus != 200 && b.cookie("session") != "" {
				t.Error("logged in")
			}
		})
	}
}

// With no users, the API key is the only credential: the login form takes
// it with an empty user name, and the answer never holds it.
func TestLoginWithoutUsers(t *testing.T) {
	h := start(t, setup{})
	if _, err := os.Stat(h.path(users.FileName)); err == nil {
		t.Fatal("users.yaml made by the server")
	}
	b := newBrowser(h)
	if r := b.login("ada", "whatever123", false); r.status != 403 {
		t.Errorf("a user without users: %d", r.status)
	}
	r := b.login("", h.key, true)
	if r.status != 200 || decodeLogin(t, r).Name != "_api" || strings.Contains(string(r.body), h.key) {
		t.Fatalf("login with the key: %d %s", r.status, r.body)
	}
	if r := b.write("POST", "/api/plugin/demo", map[string]any{"command": "fire", "event": "x"}); r.status != 204 {
		t.Errorf("a change as _api: %d %s", r.status, r.body)
	}
	if got := strconv.Itoa(len(b.cookie("session"))); got != "64" {
		t.Errorf("session token of %s hex digits", got)
	}
}

// The Go API the server's own pages use: LogIn from a form, Visitor of a
// request, LogOut, HasUsers.
func TestPageLoginAPI(t *testing.T) {
	h := withUsers(t, nil)
	srv := h.srv
	if !srv.HasUsers() {
		t.Error("HasUsers false with users")
	}
	post := func(header ...string) *http.Request {
		r := httptest.NewRequest("POST", "/login", nil)
		r.Host = "localhost:5000"
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	if _, err := srv.LogIn(httptest.NewRecorder(), post(), "ada", "wrong password", false); !errors.Is(err, serve.ErrLoginFailed) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := srv.LogIn(httptest.NewRecorder(), post("Origin", "http://evil.example"), "ada", adaPassword, false); !errors.Is(err, serve.ErrCrossSite) {
		t.Errorf("cross-site: %v", err)
	}
	rec := httptest.NewRecorder()
	v, err := srv.LogIn(rec, post("Origin", "http://localhost:5000"), "bob", bobPassword, true)
	if err != nil || v.Name != "bob" || v.Admin || !v.LoggedIn || v.CSRFToken == "" {
		t.Fatalf("LogIn: %+v, %v", v, err)
	}
	next := httptest.NewRequest("GET", "/", nil)
	next.Host = "localhost:5000"
	for _, c := range rec.Result().Cookies() {
		next.AddCookie(c)
		if c.Name == "csrf_token_P5000" && c.Value != v.CSRFToken {
			t.Errorf("CSRF cookie %q, visitor's token %q", c.Value, v.CSRFToken)
		}
	}
	if got := srv.Visitor(next); got != v {
		t.Errorf("Visitor %+v, want %+v", got, v)
	}
	srv.LogOut(httptest.NewRecorder(), next)
	if got := srv.Visitor(next); got != (serve.Visitor{}) {
		t.Errorf("Visitor after LogOut %+v", got)
	}
	for range 5 { // the successful LogIn cleared the count
		_, _ = srv.LogIn(httptest.NewRecorder(), post(), "ada", "wrong password", false)
	}
	var throttled *serve.LoginThrottledError
	if _, err := srv.LogIn(httptest.NewRecorder(), post(), "ada", adaPassword, false); !errors.As(err, &throttled) || throttled.RetryAfter <= 0 {
		t.Errorf("after five failures: %v", err)
	}
	if start(t, setup{}).srv.HasUsers() {
		t.Error("HasUsers true without users")
	}
}

// The Plugin Manager's commands and uploads take an admin's session as
// the API key, and refuse a read-only user's.
func TestSessionPluginManager(t *testing.T) {
	_, ada, bob, guest := threeCallers(t)
	for _, c := range []struct {
		name            string
		who             *cookieClient
		command, upload int
	}{
		{"admin", ada, 202, 400},
		{"read-only", bob, 403, 403},
		{"guest", guest, 401, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.who.write("POST", "/api/plugin/pluginmanager", map[string]any{"command": "clear_queued_installs"})
			if r.status != c.command {
				t.Errorf("command: %d %s, want %d", r.status, r.body, c.command)
			}
			r = c.who.write("POST", "/plugin/pluginmanager/upload_file", "not a form")
			if r.status != c.upload {
				t.Errorf("upload: %d %s, want %d", r.status, r.body, c.upload)
			}
			if r := c.who.do("GET", "/plugin/pluginmanager/plugins", nil); r.status != 200 {
				t.Errorf("listing: %d", r.status)
			}
		})
	}
}
