package serve

import (
	"sync"
	"time"
)

// Login sessions: a passive login with the API key (POST /api/login)
// makes one, a random token that the socket's auth message takes
// ("<user>:<session>"). The server keeps them in memory only: a restart
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
	touched time.Time
	sockets int
}

func newLoginSessions() *loginSessions {
	return &loginSessions{now: time.Now, byToken: make(map[string]*loginSession)}
}

// create makes a session for user and returns its token.
func (ls *loginSessions) create(user string) string {
	token := randomHex(32)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.cleanupLocked()
	if len(ls.byToken) >= maxSessions {
		ls.evictLocked()
	}
	ls.byToken[token] = &loginSession{user: user, touched: ls.now()}
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
