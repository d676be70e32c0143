package serve

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/internal/users"
)

// Sign-in for browsers. A login with a user name and password (or, with
// the user name empty, the API key as the password) starts a browser
// session: the server keeps it (browserSessions) and the browser holds its
// token in the session cookie. Requests with the cookie act as its user:
// an admin user may do what the API key allows, any other user may only
// read. Every request that changes something and is authenticated by the
// cookie must carry the session's CSRF token and come from the server's
// own pages (see authenticate). The API key keeps working as before, and a
// request with the key is never asked for a CSRF token.
//
// The cookies are named as OctoPrint names them, with the port the browser
// reached the server on: session_P<port> (HttpOnly) and csrf_token_P<port>
// (readable by the page's script, which sends it back in X-CSRF-Token).

// Cookie and header names.
const (
	sessionCookie = "session"
	csrfCookie    = "csrf_token"
	// CSRFHeader is the header a page's script sends the CSRF token in.
	CSRFHeader = "X-CSRF-Token"
	// CSRFField is the form field an HTML form (an
	// application/x-www-form-urlencoded body) sends it in.
	CSRFField = "csrf_token"
)

// maxHashes bounds the password hashes computed at once: each takes
// 19 MiB (see package users), and logins must not exhaust memory.
const maxHashes = 2

// caller is who sent a request.
type caller struct {
	name    string // the user; apiUser for the API key; "" for a guest
	admin   bool   // may change things
	byKey   bool   // authenticated by the API key header
	session *browserSession
}

type callerKey struct{}

// callerOf returns who sent r, as authenticate found out.
func (s *Server) callerOf(r *http.Request) caller {
	if c, ok := r.Context().Value(callerKey{}).(caller); ok {
		return c
	}
	if k := requestKey(r); k != "" {
		if !s.rightKey(k) {
			return caller{}
		}
		return caller{name: apiUser, admin: true, byKey: true}
	}
	if b, ok := s.sessionOf(r); ok {
		return caller{name: b.user, admin: b.admin, session: &b}
	}
	return caller{}
}

// mayAdmin reports whether r may change things and see secrets: it
// carries the API key or an admin user's session cookie.
func (s *Server) mayAdmin(r *http.Request) bool { return s.callerOf(r).admin }

// sessionOf returns the live browser session r's cookie names.
func (s *Server) sessionOf(r *http.Request) (browserSession, bool) {
	ck, err := r.Cookie(cookieName(r, sessionCookie))
	if err != nil || ck.Value == "" {
		return browserSession{}, false
	}
	s.accounts.current() // a changed users.yaml ends sessions first
	return s.browsers.lookup(ck.Value)
}

// authenticate wraps the server's routes: it finds out who sent a request
// (the API key, a session cookie, or nobody) and applies the rules every
// endpoint shares:
//
//   - A request that carries a key other than the server's is answered 403
//     with a JSON error, whatever its method and endpoint, before it is
//     routed: a wrong key is never treated as no key (a client with a
//     stale key learns it at once, instead of getting, say, the anonymous
//     view of GET /api/settings). The only exception is the routes of a
//     plugin that checks access itself ([server.BlueprintUnprotected]),
//     which get every request as it was sent.
//   - A request with the right key is the API key's user; its session
//     cookie, if any, is not looked at.
//   - A request that changes something (any method but GET, HEAD and
//     OPTIONS) with a live session cookie and no key must come from the
//     server's own pages (Origin, else Referer, naming the host the
//     request was sent to, when the browser sends one; 403 otherwise) and
//     carry the session's CSRF token in the header X-CSRF-Token (or the
//     form field csrf_token of a urlencoded form): without it, it is
//     answered 400. POST /api/login takes no token (it only checks the
//     origin): the page may have none yet.
//   - The SockJS socket's requests (/sockjs/...) are not checked: its
//     clients authenticate with their auth message, not the cookie.
//   - A request that only reads, with a live session cookie, gets the CSRF
//     cookie set again when the browser does not have the session's.
//   - A session cookie that names no live session is cleared, and the
//     request is a guest's.
//
// Each endpoint then decides what the caller may do: a change needs the
// key or an admin (authorize), a read without them gets what anybody may
// see (GET /api/settings leaves out the restricted settings, mayAdmin).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c caller
		switch k := requestKey(r); {
		case k != "" && !s.rightKey(k):
			if !s.routes.checksAccessItself(r) {
				writeError(w, http.StatusForbidden, errWrongKey)
				return
			}
		case k != "":
			c = caller{name: apiUser, admin: true, byKey: true}
		default:
			b, ok := s.sessionOf(r)
			if !ok {
				if ck, err := r.Cookie(cookieName(r, sessionCookie)); err == nil && ck.Value != "" {
					clearCookie(w, r, sessionCookie)
				}
				break
			}
			c = caller{name: b.user, admin: b.admin, session: &b}
			if isSocketPath(r.URL.Path) {
				break // the socket's own authentication is its auth message
			}
			if !needsKey(r.Method) {
				if ck, err := r.Cookie(cookieName(r, csrfCookie)); err != nil || ck.Value != b.csrf {
					setCookie(w, r, csrfCookie, b.csrf, cookieMaxAge(b), false)
				}
				break
			}
			if !sameOrigin(r) {
				s.log.Warn("refused a cross-site request with a session cookie", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"), "referer", r.Header.Get("Referer"), "remote", r.RemoteAddr)
				writeError(w, http.StatusForbidden, errCrossSite)
				return
			}
			if !(r.Method == http.MethodPost && r.URL.Path == "/api/login") && !csrfOK(r, b.csrf) {
				s.log.Warn("CSRF validation failed", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
				writeError(w, http.StatusBadRequest, "CSRF validation failed: a change made with a session cookie must carry the token of the cookie "+cookieName(r, csrfCookie)+" in the header "+CSRFHeader)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// isSocketPath reports whether a path is the SockJS socket's, whose HTTP
// transports post the client's messages without a CSRF token: the cookie
// gives them no rights (a client logs in with its auth message), and
// SockJS answers other origins without CORS headers.
func isSocketPath(p string) bool { return p == "/sockjs" || strings.HasPrefix(p, "/sockjs/") }

// errCrossSite is the message of the 403 answer to a cross-site change.
const errCrossSite = "cross-site request refused: a change made with a session cookie (or a login) must come from the server's own pages"

// csrfOK reports whether r carries the CSRF token want.
func csrfOK(r *http.Request, want string) bool {
	token := r.Header.Get(CSRFHeader)
	if token == "" {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			token = r.PostFormValue(CSRFField)
		}
	}
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// sameOrigin reports whether r comes from a page of the host it was sent
// to, as its Origin header (else its Referer) says; a request with
// neither, from a client that is not a browser or one that hides them,
// passes. The host is compared with the Host header and, behind a reverse
// proxy, X-Forwarded-Host (a cross-site page can set neither); the scheme
// is not compared, so that a proxy may end TLS.
func sameOrigin(r *http.Request) bool {
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return false // "null" (a sandboxed or privacy-sensitive context), or garbage
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	fwd, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	fwd = strings.TrimSpace(fwd)
	return fwd != "" && strings.EqualFold(u.Host, fwd)
}

// isTLS reports whether the browser reached the server over TLS: directly,
// or through a proxy that says so.
func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// cookieName is a cookie's name for r: with the suffix _P<port> of the
// port the browser reached the server on (that of the Host header, else
// the scheme's), as OctoPrint names its cookies, so that two servers on
// one host keep apart.
func cookieName(r *http.Request, base string) string {
	port := ""
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		port = "80"
		if isTLS(r) {
			port = "443"
		}
	}
	return base + "_P" + port
}

// setCookie sets a cookie of the server's: path /, SameSite=Lax, Secure
// over TLS; maxAge 0 makes it end with the browser.
func setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int, httpOnly bool) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(r, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: httpOnly, Secure: isTLS(r), SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie tells the browser to drop a cookie.
func clearCookie(w http.ResponseWriter, r *http.Request, base string) {
	setCookie(w, r, base, "", -1, base == sessionCookie)
}

// cookieMaxAge is the Max-Age of a session's cookies: the lifetime of a
// remembered session, else none (they end with the browser).
func cookieMaxAge(b browserSession) int {
	if b.remember {
		return int(rememberLifetime / time.Second)
	}
	return 0
}

// ErrLoginFailed is the error of a login with a wrong user name or
// password (which of the two is not said).
var ErrLoginFailed = errors.New("wrong user name or password")

// ErrCrossSite is the error of a login from another site's page.
var ErrCrossSite = errors.New(errCrossSite)

// LoginThrottledError is the error of a login attempt from an address
// that failed too often: it may try again after RetryAfter.
type LoginThrottledError struct{ RetryAfter time.Duration }

func (e *LoginThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins from this address: try again in %s", e.RetryAfter.Round(time.Second))
}

// Visitor is who sent a request, as a web page needs it.
type Visitor struct {
	// Name is the user's name: "" for a guest, "_api" for the API key
	// (in a header, or as the password of a login).
	Name string
	// Admin: the visitor may change things (the API key, an admin user).
	Admin bool
	// LoggedIn: the visitor has a browser session (the session cookie).
	LoggedIn bool
	// CSRFToken is the token a change must carry, in the header
	// X-CSRF-Token or the form field csrf_token (CSRFHeader, CSRFField);
	// "" without a browser session.
	CSRFToken string
}

func (c caller) visitor() Visitor {
	v := Visitor{Name: c.name, Admin: c.admin, LoggedIn: c.session != nil}
	if c.session != nil {
		v.CSRFToken = c.session.csrf
	}
	return v
}

// Visitor returns who sent r: for the web page's handlers, which run
// behind the server's authentication (see authenticate).
func (s *Server) Visitor(r *http.Request) Visitor { return s.callerOf(r).visitor() }

// HasUsers reports whether there are user accounts (users.yaml); without
// any, a browser logs in with an empty user name and the API key as the
// password.
func (s *Server) HasUsers() bool { return s.accounts.current().Len() > 0 }

// LogIn checks a user name and password (or an empty user name and the
// API key as the password) sent by a browser and, when they are right,
// starts a browser session: it sets the session and CSRF cookies on w and
// returns the new visitor. remember makes the cookies outlast the browser
// (30 days). The errors: ErrCrossSite (the request comes from another
// site's page), *LoginThrottledError (too many failures from the
// address: nothing was checked), ErrLoginFailed. A session the request
// already had ends.
func (s *Server) LogIn(w http.ResponseWriter, r *http.Request, user, password string, remember bool) (Visitor, error) {
	b, err := s.logIn(w, r, user, password, remember)
	if err != nil {
		return Visitor{}, err
	}
	return caller{name: b.user, admin: b.admin, session: &b}.visitor(), nil
}

// LogOut ends the browser session of r, if any, and clears its cookies.
func (s *Server) LogOut(w http.ResponseWriter, r *http.Request) { s.logOut(w, r) }

func (s *Server) logIn(w http.ResponseWriter, r *http.Request, user, password string, remember bool) (browserSession, error) {
	if !sameOrigin(r) {
		return browserSession{}, ErrCrossSite
	}
	if wait := s.throttle.wait(r.RemoteAddr); wait > 0 {
		s.log.Warn("refused a login: too many failures from the address", "user", user, "remote", r.RemoteAddr, "retry_after", wait)
		return browserSession{}, &LoginThrottledError{RetryAfter: wait}
	}
	name, admin, err := s.checkPassword(r.Context(), user, password)
	if err != nil {
		if errors.Is(err, ErrLoginFailed) {
			s.throttle.failed(r.RemoteAddr)
			s.log.Warn("failed login", "user", user, "remote", r.RemoteAddr)
		}
		return browserSession{}, err
	}
	s.throttle.succeeded(r.RemoteAddr)
	if old, ok := s.sessionOf(r); ok {
		s.endBrowserSession(old.id)
	}
	token, b := s.browsers.create(name, admin, remember)
	setCookie(w, r, sessionCookie, token, cookieMaxAge(b), true)
	setCookie(w, r, csrfCookie, b.csrf, cookieMaxAge(b), false)
	s.log.Info("logged in", "user", name, "admin", admin, "remember", remember, "remote", r.RemoteAddr)
	return b, nil
}

// checkPassword checks a user name and password: an empty name and the
// API key, or a user of users.yaml and its password. An unknown user costs
// what a known one does, so that the time taken does not tell the names.
func (s *Server) checkPassword(ctx context.Context, user, password string) (name string, admin bool, err error) {
	if user == "" {
		if password != "" && s.rightKey(password) {
			return apiUser, true, nil
		}
		return "", false, ErrLoginFailed
	}
	select {
	case s.hashSlots <- struct{}{}:
		defer func() { <-s.hashSlots }()
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
	u, ok := s.accounts.current().Get(user)
	if !ok {
		users.DummyVerify(password)
		return "", false, ErrLoginFailed
	}
	if !users.Verify(u.Hash, password) {
		return "", false, ErrLoginFailed
	}
	return u.Name, u.Admin, nil
}

// logOut ends r's browser session, if any, and clears its cookies; it
// returns the session's user ("" for none).
func (s *Server) logOut(w http.ResponseWriter, r *http.Request) string {
	user := ""
	if b, ok := s.sessionOf(r); ok {
		s.endBrowserSession(b.id)
		user = b.user
		s.log.Info("logged out", "user", b.user, "remote", r.RemoteAddr)
	}
	if _, err := r.Cookie(cookieName(r, sessionCookie)); err == nil {
		clearCookie(w, r, sessionCookie)
	}
	if _, err := r.Cookie(cookieName(r, csrfCookie)); err == nil {
		clearCookie(w, r, csrfCookie)
	}
	return user
}

// endBrowserSession ends a browser session and the socket sessions its
// passive logins made, whose clients are asked to authenticate again.
func (s *Server) endBrowserSession(id string) {
	s.browsers.end(id)
	s.sockets.reauth(s.sessions.endBrowser(id), "logout")
}

// endUsers ends every session of these users (removed, or whose password
// or admin flag changed).
func (s *Server) endUsers(ended map[string]bool) {
	for name, removed := range ended {
		reason := "modified"
		if removed {
			reason = "removed"
		}
		n := len(s.browsers.endUser(name))
		s.sockets.reauth(s.sessions.endUser(name), reason)
		s.log.Info("user "+reason+": sessions ended", "user", name, "sessions", n)
	}
}
