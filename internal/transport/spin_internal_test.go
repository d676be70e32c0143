package transport

import (
	"testing"
	"time"
)

// TestSpinnerBudget: the spin learned from the recent waits, by the
// policy in spin.go.
func TestSpinnerBudget(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name  string
		waits []time.Duration
		want  time.Duration
	}{
		{"no wait yet", nil, spinFloor},
		{"quick answers", []time.Duration{3 * us, 3 * us, 3 * us}, 6 * us},
		{"very quick answers", []time.Duration{0, 0}, spinFloor},
		{"answers near the cap", []time.Duration{25 * us, 25 * us}, spinMax},
		{"slow answers", []time.Duration{time.Millisecond, time.Millisecond}, 0},
		{"idle, then a burst", []time.Duration{time.Second, 2 * us, 2 * us, 2 * us, 2 * us, 2 * us, 2 * us, 2 * us, 2 * us}, 2 * (2*us + (120*us-2*us)*6561/65536)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s spinner
			for _, d := range tt.waits {
				s.budget()
				s.observe(d)
			}
			if got := s.budget(); got.Round(10*time.Nanosecond) != tt.want.Round(10*time.Nanosecond) {
				t.Errorf("budget after %v: %v, want %v", tt.waits, got, tt.want)
			}
		})
	}
}

// TestCallerSpin: the calling side spins at least callerSpin, however
// long its recent waits were; with quick answers it spins by them.
func TestCallerSpin(t *testing.T) {
	us := time.Microsecond
	for _, tt := range []struct {
		name  string
		waits []time.Duration
		want  time.Duration
	}{
		{"no wait yet", nil, callerSpin},
		{"slow answers", []time.Duration{time.Millisecond, time.Millisecond}, callerSpin},
		{"quick answers", []time.Duration{3 * us, 3 * us, 3 * us}, callerSpin},
	} {
		s := spinner{least: callerSpin}
		for _, d := range tt.waits {
			s.budget()
			s.observe(d)
		}
		if got := s.budget(); got != tt.want {
			t.Errorf("%s: budget after %v: %v, want %v", tt.name, tt.waits, got, tt.want)
		}
	}
}

// TestSpinnerProbes: a side that stopped spinning spins the whole cap once
// every probeEvery waits, to notice quick answers again.
func TestSpinnerProbes(t *testing.T) {
	var s spinner
	probes := 0
	for range 3 * probeEvery {
		if s.budget() == spinMax {
			probes++
		}
		s.observe(time.Second)
	}
	if probes != 3 {
		t.Errorf("%d probes in %d slow waits, want 3", probes, 3*probeEvery)
	}
}

// TestEnterSpin: no more waiters spin at once than maxSpinners.
func TestEnterSpin(t *testing.T) {
	for i := range maxSpinners {
		if !enterSpin() {
			t.Fatalf("place %d of %d refused", i+1, maxSpinners)
		}
	}
	if enterSpin() {
		t.Errorf("place %d of %d given", maxSpinners+1, maxSpinners)
		leaveSpin()
	}
	for range maxSpinners {
		leaveSpin()
	}
	if !enterSpin() {
		t.Error("a place given back is refused")
	}
	leaveSpin()
}
