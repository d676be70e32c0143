package virtualprinter

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// numbered returns "N<n> <cmd>*<checksum>\n".
func numbered(n int64, cmd string) string {
	s := "N" + strconv.FormatInt(n, 10) + " " + cmd
	return s + "*" + strconv.FormatInt(checksum([]byte(s)), 10) + "\n"
}

// fakeClock is a clock a test advances itself.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_000_000, 0)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// write writes s to p, failing the test on an error.
func write(t *testing.T, p *Printer, s string) {
	t.Helper()
	if _, err := p.Write([]byte(s)); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

// drain returns what p has to say now, without waiting.
func drain(p *Printer) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := string(p.out[p.r:])
	p.out, p.r = p.out[:0], 0
	return s
}

// waitFor reads from p until its output holds want (or the real-time
// limit passes) and returns everything read.
func waitFor(t *testing.T, p *Printer, want string) string {
	t.Helper()
	var got strings.Builder
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(got.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output; got:\n%s", want, got.String())
		}
		got.WriteString(drain(p))
		time.Sleep(time.Millisecond)
	}
	return got.String()
}
