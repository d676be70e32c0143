package serve

import (
	"sync"
	"time"
)

// loginThrottle slows down guessing: every failed login from a client
// address counts, and after freeFailures of them the address must wait
// before its next attempt, a wait that doubles with each further failure
// (1 s, 2 s, 4 s, ... up to maxLoginDelay). Attempts during the wait are
// refused (429) without checking anything. A successful login clears the
// address's count, and a count is forgotten forgetFailures after the last
// failure. Addresses are counted by host (IPv6 by /64 network, which one
// machine usually has whole).
type loginThrottle struct {
	now func() time.Time

	mu     sync.Mutex
	byAddr map[string]*loginFailures
}

type loginFailures struct {
	count int
	last  time.Time
}

const (
	freeFailures     = 5
	firstLoginDelay  = time.Second
	maxLoginDelay    = 15 * time.Minute
	forgetFailures   = time.Hour
	maxThrottleAddrs = 10000
)

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, byAddr: make(map[string]*loginFailures)}
}

// throttleKey is what failures are counted by for a remote address.
func throttleKey(remote string) string {
	host, addr, ok := remoteIP(remote)
	switch {
	case !ok:
		return host
	case addr.Is6():
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// delay is the wait after count failures.
func loginDelay(count int) time.Duration {
	if count < freeFailures {
		return 0
	}
	d := firstLoginDelay
	for i := freeFailures; i < count && d < maxLoginDelay; i++ {
		d *= 2
	}
	return min(d, maxLoginDelay)
}

// wait returns how long the address must still wait before its next
// attempt; 0 means it may try now.
func (t *loginThrottle) wait(remote string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.byAddr[throttleKey(remote)]
	if !ok {
		return 0
	}
	left := f.last.Add(loginDelay(f.count)).Sub(t.now())
	return max(left, 0)
}

// failed counts a failed attempt.
func (t *loginThrottle) failed(remote string) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	key := throttleKey(remote)
	f, ok := t.byAddr[key]
	if !ok {
		if len(t.byAddr) >= maxThrottleAddrs {
			t.forgetLocked(now)
		}
		f = &loginFailures{}
		t.byAddr[key] = f
	} else if now.Sub(f.last) >= forgetFailures+loginDelay(f.count) {
		f.count = 0 // forgotten
	}
	f.count++
	f.last = now
}

// succeeded clears the address's count.
func (t *loginThrottle) succeeded(remote string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byAddr, throttleKey(remote))
}

// forgetLocked drops the counts that have expired, or, when none has and
// the table is full, the oldest one.
func (t *loginThrottle) forgetLocked(now time.Time) {
	var oldest string
	for k, f := range t.byAddr {
		if now.Sub(f.last) >= forgetFailures+loginDelay(f.count) {
			delete(t.byAddr, k)
		} else if oldest == "" || f.last.Before(t.byAddr[oldest].last) {
			oldest = k
		}
	}
	if len(t.byAddr) >= maxThrottleAddrs && oldest != "" {
		delete(t.byAddr, oldest)
	}
}
