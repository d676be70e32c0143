package comm

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakePrinter is a scripted printer for the protocol's tests: it checks
// line numbers and checksums as firmware does, answers "ok" to every
// command, and lets a test answer some lines itself. Writes are handled
// inline; reads block until there is an answer or the read timeout passes.
type fakePrinter struct {
	mu      sync.Mutex
	cond    *sync.Cond
	out     bytes.Buffer
	closed  bool
	last    int64
	got     []string // every command received, without number and checksum
	raw     []string // every line as written
	answer  func(cmd string) (reply string, handled bool)
	corrupt map[int64]bool // line numbers whose checksum fails once
	timeout time.Duration
}

func newFakePrinter() *fakePrinter {
	p := &fakePrinter{corrupt: map[int64]bool{}, timeout: 20 * time.Millisecond}
	p.cond = sync.NewCond(&p.mu)
	return p
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "timeout" }
func (timeoutErr) Timeout() bool { return true }

func (p *fakePrinter) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	deadline := time.Now().Add(p.timeout)
	for p.out.Len() == 0 && !p.closed {
		if time.Now().After(deadline) {
			return 0, timeoutErr{}
		}
		t := time.AfterFunc(p.timeout/4, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
		p.cond.Wait()
		t.Stop()
	}
	if p.closed && p.out.Len() == 0 {
		return 0, io.EOF
	}
	return p.out.Read(b)
}

func (p *fakePrinter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	p.write(b)
	return len(b), nil
}

// write handles the lines of b. Called with mu held.
func (p *fakePrinter) write(b []byte) {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		p.line(line)
	}
	p.cond.Broadcast()
}

// exchangingPrinter is a fakePrinter that is an [exchanger], as the
// virtual printer is; it counts the exchanges.
type exchangingPrinter struct {
	*fakePrinter
	exchanges int
}

func (p *exchangingPrinter) Exchange(w, r []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	p.write(w)
	p.exchanges++
	if p.out.Len() == 0 {
		return 0, nil
	}
	return p.out.Read(r)
}

func (p *fakePrinter) say(s string) { p.out.WriteString(s + "\n") }

// line handles one line as firmware does. Called with mu held.
func (p *fakePrinter) line(line string) {
	p.raw = append(p.raw, line)
	cmd := line
	if strings.HasPrefix(line, "N") {
		star := strings.LastIndexByte(line, '*')
		sp := strings.IndexByte(line, ' ')
		n, _ := strconv.ParseInt(line[1:sp], 10, 64)
		cs, _ := strconv.Atoi(line[star+1:])
		if p.corrupt[n] {
			delete(p.corrupt, n)
			cs = -1
		}
		if cs != int(Checksum([]byte(line[:star]))) {
			p.say("Error:checksum mismatch, Last Line: " + strconv.FormatInt(p.last, 10))
			p.say("Resend: " + strconv.FormatInt(p.last+1, 10))
			p.say("ok")
			return
		}
		if n != p.last+1 {
			p.say("Error:Line Number is not Last Line Number+1, Last Line: " + strconv.FormatInt(p.last, 10))
			p.say("Resend: " + strconv.FormatInt(p.last+1, 10))
			p.say("ok")
			return
		}
		p.last = n
		cmd = line[sp+1 : star]
	}
	if code, _ := CodeOf(cmd); code == "M110" {
		if n, ok := paramInt(cmd, 'N'); ok {
			p.last = n
		}
	}
	p.got = append(p.got, cmd)
	if p.answer != nil {
		if reply, ok := p.answer(cmd); ok {
			if reply != "" {
				p.say(reply)
			}
			return
		}
	}
	p.say("ok")
}

func (p *fakePrinter) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// commands returns the commands received so far.
func (p *fakePrinter) commands() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}
