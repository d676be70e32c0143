//go:build linux

package transport

import (
	"testing"
	"time"
)

// TestReschedule: a waiter goes through the Go scheduler once every
// reschedEvery, not on every wait (see reschedEvery).
func TestReschedule(t *testing.T) {
	calls := 0
	old := reschedule
	reschedule = func() { calls++ }
	defer func() { reschedule = old }()
	var r region
	t0 := time.Now()
	for i := range 100 {
		// 100 waits over 2.5 reschedEvery: the first, then one at each
		// reschedEvery.
		r.maybeReschedule(t0.Add(time.Duration(i) * reschedEvery / 40))
	}
	if calls != 3 {
		t.Errorf("%d reschedules over 100 waits in %v, want 3 (one every %v)", calls, 99*reschedEvery/40, reschedEvery)
	}
}
