//go:build linux

package transport

import (
	"testing"
	"time"
)

// TestReschedule: a waiter goes through the Go scheduler at most once
// every reschedEvery, and only once it has waited reschedWaits times since
// (see reschedEvery).
func TestReschedule(t *testing.T) {
	for _, c := range []struct {
		name  string
		every time.Duration // between two waits
		want  int           // reschedules over 100 waits
	}{
		// 100 waits over 2.5 reschedEvery: at the 32nd, then a
		// reschedEvery later.
		{"busy", reschedEvery / 40, 2},
		// A wait every 2 reschedEvery: every 32nd wait.
		{"rare", 2 * reschedEvery, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			old := reschedule
			reschedule = func() { calls++ }
			defer func() { reschedule = old }()
			var r region
			t0 := time.Now()
			for i := range 100 {
				r.maybeReschedule(t0.Add(time.Duration(i) * c.every))
			}
			if calls != c.want {
				t.Errorf("%d reschedules over 100 waits %v apart, want %d", calls, c.every, c.want)
			}
		})
	}
}
