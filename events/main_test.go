package events_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/events"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// deadline bounds the wait for things that must happen; it is generous, as
// it only guards against a hang.
const deadline = 10 * time.Second

// names is a handler that sends the name of every event it gets to a
// channel, and the channel.
func names(size int) (func(events.Event), chan string) {
	ch := make(chan string, size)
	return func(ev events.Event) { ch <- ev.Name }, ch
}

// receive reads n values from ch, failing the test if they do not all
// arrive before the deadline.
func receive[T any](t *testing.T, ch <-chan T, n int) []T {
	t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	out := make([]T, 0, n)
	for len(out) < n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-timer.C:
			t.Fatalf("got %d values before the deadline, want %d: %v", len(out), n, out)
		}
	}
	return out
}

// drain returns what is in ch without waiting.
func drain[T any](ch <-chan T) []T {
	var out []T
	for {
		select {
		case v := <-ch:
			out = append(out, v)
		default:
			return out
		}
	}
}

// eventually polls cond until it holds, failing the test at the deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// subscribe subscribes and fails the test on error.
func subscribe(t *testing.T, b *events.Bus, name string, h func(events.Event), patterns ...string) *events.Subscription {
	t.Helper()
	s, err := b.Subscribe(name, h, patterns...)
	if err != nil {
		t.Fatalf("Subscribe(%q, %q): %v", name, patterns, err)
	}
	return s
}

// closeBus closes b when the test ends, draining without a time limit.
func closeBus(t *testing.T, b *events.Bus) {
	t.Helper()
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// logBuffer is a concurrency-safe buffer for a text logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logger returns a logger writing to a new buffer, and the buffer.
func logger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewTextHandler(lb, nil)), lb
}

// discard returns a logger that drops everything.
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
