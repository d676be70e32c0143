package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Browser sessions: what a login with a user name and password (or the
// API key as the password) starts, named by the session cookie. The
// server keeps them in memory: a restart ends them all. A session ends
// when it is unused for its idle time, when it reaches its lifetime, on
// logout, and when its user is removed or changes password or admin flag.
const (
	// sessionIdle and sessionLifetime bound a session that is not
	// remembered (its cookie ends with the browser).
	sessionIdle     = 2 * time.Hour
	sessionLifetime = 24 * time.Hour
	// rememberIdle and rememberLifetime bound a remembered one, whose
	// cookie lasts rememberLifetime.
	rememberIdle     = 7 * 24 * time.Hour
	rememberLifetime = 30 * 24 * time.Hour
	// maxBrowserSessions bounds the sessions kept: beyond it, a new login
	// ends the least recently used one.
	maxBrowserSessions = 1000
)

// browserSession is one session. The map holds it by the SHA-256 of the
// cookie's token, so that the token itself is kept nowhere.
type browserSession struct {
	id        string // hex SHA-256 of the token
	user      string
	admin     bool
	csrf      string // the session's CSRF token
	remember  bool
	mechanism string // OctoPrint's _login_mechanism: "password"
	created   time.Time
	touched   time.Time
}

// expired reports whether the session has ended by time at now.
func (b *browserSession) expired(now time.Time) bool {
	idle, life := sessionIdle, sessionLifetime
	if b.remember {
		idle, life = rememberIdle, rememberLifetime
	}
	return now.Sub(b.touched) >= idle || now.Sub(b.created) >= life
}

type browserSessions struct {
	now func() time.Time

	mu   sync.Mutex
	byID map[string]*browserSession
}

func newBrowserSessions(now func() time.Time) *browserSessions {
	return &browserSessions{now: now, byID: make(map[string]*browserSession)}
}

// sessionID is the key of a token.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// create starts a session and returns its token and a copy of it.
func (bs *browserSessions) create(user string, admin, remember bool) (string, browserSession) {
	token := randomHex(32)
	now := bs.now()
	b := &browserSession{
		id: sessionID(token), user: user, admin: admin, csrf: randomHex(32),
		remember: remember, mechanism: "password", created: now, touched: now,
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.cleanupLocked(now)
	if len(bs.byID) >= maxBrowserSessions {
		var oldest *browserSession
		for _, o := range bs.byID {
			if oldest == nil || o.touched.Before(oldest.touched) {
				oldest = o
			}
		}
		delete(bs.byID, oldest.id)
	}
	bs.byID[b.id] = b
	return token, *b
}

// lookup returns the live session of a token, marking it used.
func (bs *browserSessions) lookup(token string) (browserSession, bool) {
	if token == "" {
		return browserSession{}, false
	}
	id := sessionID(token)
	now := bs.now()
	bs.mu.Lock()
	defer bs.mu.Unlock()
	b, ok := bs.byID[id]
	if !ok {
		return browserSession{}, false
	}
	if b.expired(now) {
		delete(bs.byID, id)
		return browserSession{}, false
	}
	b.touched = now
	return *b, true
}

// end ends the session with this id, reporting whether there was one.
func (bs *browserSessions) end(id string) bool {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	_, ok := bs.byID[id]
	delete(bs.byID, id)
	return ok
}

// endUser ends every session of a user and returns their ids.
func (bs *browserSessions) endUser(user string) []string {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	var ids []string
	for id, b := range bs.byID {
		if b.user == user {
			ids = append(ids, id)
			delete(bs.byID, id)
		}
	}
	return ids
}

// len returns how many sessions are live.
func (bs *browserSessions) len() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.cleanupLocked(bs.now())
	return len(bs.byID)
}

func (bs *browserSessions) cleanupLocked(now time.Time) {
	for id, b := range bs.byID {
		if b.expired(now) {
			delete(bs.byID, id)
		}
	}
}
