package events_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tentacle-go/tentacle/events"
)

// seqChecker is a handler that checks that the events of each firer,
// named "f<firer>" with payload "seq", arrive in the order they were fired.
type seqChecker struct {
	t    *testing.T
	last map[string]int // touched only by the subscriber's goroutine
	n    atomic.Int64
}

func newSeqChecker(t *testing.T) *seqChecker {
	return &seqChecker{t: t, last: make(map[string]int)}
}

func (c *seqChecker) handle(ev events.Event) {
	seq := ev.Payload["seq"].(int)
	if prev, ok := c.last[ev.Name]; ok && seq <= prev {
		c.t.Errorf("%s: seq %d after %d", ev.Name, seq, prev)
	}
	c.last[ev.Name] = seq
	c.n.Add(1)
}

func TestConcurrentFireWithChurn(t *testing.T) {
	const firers, perFirer, churn = 8, 500, 200
	b := events.New(events.Options{QueueSize: firers * perFirer, Logger: discard()})
	stable := newSeqChecker(t)
	subscribe(t, b, "stable", stable.handle)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for f := range firers {
		wg.Go(func() {
			name := fmt.Sprintf("f%d", f)
			for i := range perFirer {
				if !b.Fire(name, map[string]any{"seq": i}) {
					t.Errorf("Fire on an open bus = false")
					return
				}
			}
		})
	}
	wg.Go(func() { // Stats readers
		for {
			select {
			case <-stop:
				return
			default:
				_ = b.Stats()
			}
		}
	})
	// Subscribers come and go, some slow (small queues overflow), some
	// closed with a done context while handling.
	var churnWG sync.WaitGroup
	churnWG.Go(func() {
		patterns := [][]string{nil, {"f1"}, {"f*"}, {"f[0-3]", "f7"}, {"none"}}
		for i := range churn {
			var calls atomic.Uint64
			c := newSeqChecker(t)
			sub, err := b.Subscribe(fmt.Sprintf("churn:%d", i%7), func(ev events.Event) {
				c.handle(ev)
				calls.Add(1)
			}, patterns[i%len(patterns)]...)
			if err != nil {
				t.Errorf("Subscribe: %v", err)
				return
			}
			ctx, cancel := context.WithCancel(context.Background())
			if i%3 == 0 {
				cancel()
			}
			if err := sub.Close(ctx); err != nil { // the handler is quick: wait for it
				if err := sub.Close(context.Background()); err != nil {
					t.Errorf("second Close: %v", err)
				}
			}
			cancel()
			if st := sub.Stats(); st.Delivered != calls.Load() || st.Queued != 0 {
				t.Errorf("closed churn subscriber: Stats %+v, handler called %d times", st, calls.Load())
			}
		}
	})
	churnWG.Wait()
	close(stop)
	wg.Wait()

	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := stable.n.Load(); got != firers*perFirer {
		t.Errorf("stable subscriber got %d events, want %d", got, firers*perFirer)
	}
}

func TestFireAcceptedIsDrained(t *testing.T) {
	const firers = 8
	b := events.New(events.Options{QueueSize: 1 << 20})
	c := newSeqChecker(t)
	subscribe(t, b, "only", c.handle)

	var accepted atomic.Int64
	var wg sync.WaitGroup
	for f := range firers {
		wg.Go(func() {
			name := fmt.Sprintf("f%d", f)
			for i := 0; ; i++ {
				if !b.Fire(name, map[string]any{"seq": i}) {
					return
				}
				accepted.Add(1)
			}
		})
	}
	eventually(t, "events delivered", func() bool { return c.n.Load() >= 1000 })
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	// With one subscriber, an event is either accepted (and drained) or
	// refused (and not queued).
	if got, want := c.n.Load(), accepted.Load(); got != want {
		t.Errorf("delivered %d events, %d were accepted", got, want)
	}
}
