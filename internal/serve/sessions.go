package serve

import (
	"sync"
	"time"
)

// Login sessions: a passive login (POST /api/login) with the API key or a
// session cookie, and a login with a password, make one, a random token
// that the socket's auth message takes ("<user>:<session>"). One made
// from a browser session ends with it. The server keeps them in memory only: a restart
// ends them all, and clients log in again when the socket asks them to
// (reauthRequired).
const (
	// sessionStaleAfter is how long a session lives unused: one that no
	// socket client is authenticated with ends this long after its last
	// use (OctoPrint's default accessControl.sessionStaleAfter).
	sessionStaleAfter = 15 * time.Minute
	// maxSessions bounds the sessions kept: beyond it, a new login ends
	// the least recently used session no socket client holds.
	maxSessions = 1000
)

// loginSessions are the server's login sessions.
type loginSessions struct {
	now func() time.Time // the clock (tests)

	mu      sync.Mutex
	byToken map[string]*loginSession
}

// loginSession is one session: whose it is, when it was last used and how
// many socket clients are authenticated with it (a session in use does
// not go stale).
type loginSession struct {
	user    string
	browser string // the id of the browser session it was made from; "" for the API key
	touched time.Time
	sockets int
}

func newLoginSessions() *loginSessions {
	return &loginSessions{now: time.Now, byToken: make(map[string]*loginSession)}
}

// create makes a session for user, from the browser session with id
// browser ("" for none), and returns its token.
func (ls *loginSessions) create(user, browser string) string {
	token := randomHex(32)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.cleanupLocked()
	if len(ls.byToken) >= maxSessions {
		ls.evictLocked()
	}
	ls.byToken[token] = &loginSession{user: user, browser: browser, touched: ls.now()}
	return token
}

// attach reports whether token is a live session of user; if so, a socket
// client holds it from now on, until detach.
func (ls *loginSessions) attach(user, token string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.cleanupLocked()
	s, ok := ls.byToken[token]
	if !ok || s.user != user {
		return false
	}
	s.sockets++
	s.touched = ls.now()
	return true
}

// detach says a socket client no longer holds token: the session's
// unused time starts now.
func (ls *loginSessions) detach(token string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if s, ok := ls.byToken[token]; ok && s.sockets > 0 {
		s.sockets--
		s.touched = ls.now()
	}
}

// endBrowser ends the sessions made from a browser session and returns
// their tokens.
func (ls *loginSessions) endBrowser(browser string) map[string]bool {
	return ls.endWhere(func(s *loginSession) bool { return s.browser == browser })
}

// endUser ends the sessions of a user and returns their tokens.
func (ls *loginSessions) endUser(user string) map[string]bool {
	return ls.endWhere(func(s *loginSession) bool { return s.user == user })
}

func (ls *loginSessions) endWhere(match func(*loginSession) bool) map[string]bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ended := make(map[string]bool)
	for token, s := range ls.byToken {
		if match(s) {
			ended[token] = true
			delete(ls.byToken, token)
		}
	}
	return ended
}

// len returns how many sessions are live.
func (ls *loginSessions) len() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.cleanupLocked()
	return len(ls.byToken)
}

// cleanupLocked ends the sessions unused for sessionStaleAfter.
func (ls *loginSessions) cleanupLocked() {
	now := ls.now()
	for token, s := range ls.byToken {
		if s.sockets == 0 && now.Sub(s.touched) >= sessionStaleAfter {
			delete(ls.byToken, token)
		}
	}
}

// evictLocked ends the least recently used session no socket holds.
func (ls *loginSessions) evictLocked() {
	var oldest string
	for token, s := range ls.byToken {
		if s.sockets == 0 && (oldest == "" || s.touched.Before(ls.byToken[oldest].touched)) {
			oldest = token
		}
	}
	if oldest != "" {
		delete(ls.byToken, oldest)
	}
}
