package events

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRing drives a ring through a script: a positive step pushes that many
// events (named by a running counter), a negative one pops that many.
func TestRing(t *testing.T) {
	tests := []struct {
		name        string
		limit       int
		steps       []int
		wantPopped  []string
		wantDropped []string
		wantQueued  []string
	}{
		{name: "fifo", limit: 8, steps: []int{3, -2, 2}, wantPopped: []string{"e0", "e1"},
			wantQueued: []string{"e2", "e3", "e4"}},
		{name: "drops oldest", limit: 3, steps: []int{5}, wantDropped: []string{"e0", "e1"},
			wantQueued: []string{"e2", "e3", "e4"}},
		{name: "wraps", limit: 4, steps: []int{3, -2, 3, -1, 1}, wantPopped: []string{"e0", "e1", "e2"},
			wantQueued: []string{"e3", "e4", "e5", "e6"}},
		{name: "drops when wrapped", limit: 4, steps: []int{3, -2, 6}, wantPopped: []string{"e0", "e1"},
			wantDropped: []string{"e2", "e3", "e4"}, wantQueued: []string{"e5", "e6", "e7", "e8"}},
		{name: "grows while wrapped", limit: 100, steps: []int{10, -5, 20}, wantPopped: []string{"e0", "e1", "e2", "e3", "e4"},
			wantQueued: names(5, 30)},
		{name: "grows to the limit", limit: 40, steps: []int{50}, wantDropped: names(0, 10),
			wantQueued: names(10, 50)},
		{name: "pop empty", limit: 2, steps: []int{-3, 1}, wantQueued: []string{"e0"}},
		{name: "limit 1", limit: 1, steps: []int{3, -1, 1}, wantDropped: []string{"e0", "e1"},
			wantPopped: []string{"e2"}, wantQueued: []string{"e3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ring{limit: tt.limit}
			var popped, dropped []string
			next := 0
			for _, st := range tt.steps {
				for ; st > 0; st-- {
					if old, full := r.push(Event{Name: fmt.Sprintf("e%d", next)}); full {
						dropped = append(dropped, old.Name)
					}
					next++
				}
				for ; st < 0; st++ {
					if ev, ok := r.pop(); ok {
						popped = append(popped, ev.Name)
					}
				}
				if len(r.buf) > tt.limit {
					t.Fatalf("buffer of %d beyond the limit %d", len(r.buf), tt.limit)
				}
			}
			queued := r.n
			var rest []string
			for ev, ok := r.pop(); ok; ev, ok = r.pop() {
				rest = append(rest, ev.Name)
			}
			if queued != len(rest) {
				t.Errorf("n = %d, popped %d", queued, len(rest))
			}
			for _, c := range []struct {
				what      string
				want, got []string
			}{{"popped", tt.wantPopped, popped}, {"dropped", tt.wantDropped, dropped}, {"queued", tt.wantQueued, rest}} {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.what, diff)
				}
			}
		})
	}
}

func TestRingReset(t *testing.T) {
	r := ring{limit: 4}
	for i := range 6 {
		r.push(Event{Name: fmt.Sprint(i)})
	}
	if n := r.reset(); n != 4 {
		t.Errorf("reset = %d, want 4", n)
	}
	if r.buf != nil || r.n != 0 {
		t.Errorf("after reset: buf %v, n %d", r.buf, r.n)
	}
	if _, ok := r.pop(); ok {
		t.Error("pop after reset found an event")
	}
}

// names returns e<from> ... e<to-1>.
func names(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("e%d", i))
	}
	return out
}
