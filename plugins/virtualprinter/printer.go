package virtualprinter

import (
	"io"
	"sync"
	"time"
)

// Options configure a [Printer]. The zero value is a printer with the
// defaults of the plugin's settings.
type Options struct {
	// TemperatureRate is how fast a heater moves toward its target, in
	// °C per simulated second (20 if zero).
	TemperatureRate float64
	// Speedup is how many simulated seconds pass per second of the clock
	// (1 if zero): 1000 runs a ten-second heat-up in ten milliseconds.
	Speedup float64
	// Clock is the time source (time.Now if nil). A test passes a clock
	// it advances itself; periodic output then looks at it every few
	// milliseconds.
	Clock func() time.Time
	// Extruders is the number of hotends (1 if zero).
	Extruders int
	// NoOkAfterResend leaves out the "ok" after a resend request, as
	// some firmware does.
	NoOkAfterResend bool
	// BusyInterval is the simulated time between two "echo:busy:
	// processing" lines while a command takes time (2 s if zero).
	BusyInterval time.Duration
	// ReadTimeout is how long a Read waits for output before it returns
	// [ErrTimeout] (0: it waits until there is output or Close).
	ReadTimeout time.Duration
	// CorruptEvery makes every CorruptEvery-th numbered line received fail
	// its checksum once, as a noisy line would (0: never).
	CorruptEvery int
	// Start makes the printer say "start" when opened, as Marlin does
	// after a reset.
	Start bool
}

// Stats counts what a [Printer] did.
type Stats struct {
	Commands uint64 // commands executed (debug commands not included)
	Moves    uint64 // G0 and G1 commands executed
	Resends  uint64 // resend requests sent
	LastLine int64  // number of the last numbered line accepted
	Halted   bool   // M112 was received
}

// Printer is a simulated Marlin printer on an in-memory line: what is
// written to it is read by its firmware, and what the firmware answers is
// read from it. A Write is processed before it returns, on the writer's
// goroutine; Read returns the answers, and [Printer.Exchange] writes and
// takes the answers that are ready in one call. Safe for concurrent use;
// meant for one writer and one reader.
type Printer struct {
	opts   Options
	clock  func() time.Time
	origin time.Time
	speed  float64

	mu      sync.Mutex
	cond    *sync.Cond
	out     []byte // answers not read yet, from out[r:]
	r       int
	in      []byte // a line cut by the end of a Write
	closed  bool
	readers int // Reads waiting for output

	rtimer    *time.Timer // wakes a Read waiting for its timeout
	timerOn   bool        // the periodic-output goroutine runs
	wake      chan struct{}
	quit      chan struct{}
	closeOnce sync.Once

	fw firmware
}

var _ io.ReadWriteCloser = (*Printer)(nil)

// New returns a printer, powered on.
func New(opts Options) *Printer {
	if opts.TemperatureRate <= 0 {
		opts.TemperatureRate = 20
	}
	if opts.Speedup <= 0 {
		opts.Speedup = 1
	}
	if opts.Extruders <= 0 {
		opts.Extruders = 1
	}
	if opts.BusyInterval <= 0 {
		opts.BusyInterval = 2 * time.Second
	}
	p := &Printer{opts: opts, clock: opts.Clock, speed: opts.Speedup,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), out: make([]byte, 0, 4096)}
	if p.clock == nil {
		p.clock = time.Now
	}
	p.origin = p.clock()
	p.cond = sync.NewCond(&p.mu)
	p.fw.init(p, opts)
	if opts.Start {
		p.say("start")
	}
	return p
}

// timeoutError is the error of a Read that timed out.
type timeoutError struct{}

func (timeoutError) Error() string { return "virtual printer: read timed out" }

// Timeout reports true: the read timed out.
func (timeoutError) Timeout() bool { return true }

// ErrTimeout is returned by Read when nothing came within
// Options.ReadTimeout; its Timeout method reports true.
var ErrTimeout error = timeoutError{}

// now returns the simulated time since the printer was made.
func (p *Printer) now() time.Duration {
	return time.Duration(float64(p.clock().Sub(p.origin)) * p.speed)
}

// Write hands lines to the firmware, which processes every complete line
// before Write returns. A line may be split across Writes.
func (p *Printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	p.write(b)
	p.signal()
	return len(b), nil
}

// Exchange is a Write of w followed by a Read that does not wait: it
// moves the answers that are ready, at most len(r) bytes, into r and
// returns how many it moved (the answers to w, after what the printer
// said before, in order). It takes the printer's lock once where a Write
// and a Read take it twice, and a host's read loop that sends the next
// line on an "ok" takes that line's answer at once; the tentacle server's
// protocol does so. Safe for concurrent use with Read: an answer goes to
// one of them.
func (p *Printer) Exchange(w, r []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	p.write(w)
	n := 0
	if p.r < len(p.out) {
		n = p.take(r)
	}
	p.signal()
	return n, nil
}

// write processes the complete lines of b, keeping a cut line for the
// next write. Called with mu held.
func (p *Printer) write(b []byte) {
	if len(p.in) > 0 {
		p.in = append(p.in, b...)
		rest := p.lines(p.in)
		p.in = p.in[:copy(p.in, rest)]
	} else if rest := p.lines(b); len(rest) > 0 {
		p.in = append(p.in[:0], rest...)
	}
}

// signal wakes a Read waiting for output when there is some. Called with
// mu held.
func (p *Printer) signal() {
	if p.readers > 0 && p.r < len(p.out) {
		p.cond.Signal()
	}
}

// lines processes the complete lines of b and returns what follows the
// last line end. Called with mu held.
func (p *Printer) lines(b []byte) []byte {
	for {
		i := indexByte(b, '\n')
		if i < 0 {
			return b
		}
		p.fw.line(trim(b[:i]))
		b = b[i+1:]
	}
}

// Read returns the firmware's answers: at once when there are some, else
// when some come, when the printer is closed (io.EOF) or when the read
// timeout passes ([ErrTimeout]).
func (p *Printer) Read(b []byte) (int, error) {
	p.mu.Lock()
	if p.r < len(p.out) { // the common case: answers are waiting
		n := p.take(b)
		p.mu.Unlock()
		return n, nil
	}
	defer p.mu.Unlock()
	var deadline time.Time
	for p.r == len(p.out) {
		if p.closed {
			return 0, io.EOF
		}
		if d := p.opts.ReadTimeout; d > 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(d)
				if p.rtimer == nil {
					p.rtimer = time.AfterFunc(d, p.broadcast)
				} else {
					p.rtimer.Reset(d)
				}
			} else if !now.Before(deadline) {
				return 0, ErrTimeout
			}
		}
		p.readers++
		p.cond.Wait()
		p.readers--
	}
	return p.take(b), nil
}

// take moves answers to b. Called with mu held.
func (p *Printer) take(b []byte) int {
	n := copy(b, p.out[p.r:])
	p.r += n
	if p.r == len(p.out) {
		p.out, p.r = p.out[:0], 0
	}
	return n
}

func (p *Printer) broadcast() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Close turns the printer off: a blocked Read returns io.EOF, later ones
// too once the answers are read, and Writes fail.
func (p *Printer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		if p.rtimer != nil {
			p.rtimer.Stop()
		}
		close(p.quit)
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	return nil
}

// Stats returns what the printer did so far.
func (p *Printer) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fw.stats
}

// say queues a line of output. Called with mu held.
func (p *Printer) say(s string) {
	p.out = append(append(p.out, s...), '\n')
}

// sayBytes queues a line of output. Called with mu held.
func (p *Printer) sayBytes(b []byte) {
	p.out = append(append(p.out, b...), '\n')
}

// ensureTimer starts the goroutine of periodic output when it does not
// run, and wakes it to look at a changed schedule. Called with mu held.
func (p *Printer) ensureTimer() {
	if !p.timerOn {
		p.timerOn = true
		go p.runTimer()
		return
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// runTimer produces the periodic output (autoreports, busy keepalives,
// the temperature lines of a heat-up wait) while there is some to come.
func (p *Printer) runTimer() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		p.mu.Lock()
		if p.closed {
			p.timerOn = false
			p.mu.Unlock()
			return
		}
		before := len(p.out)
		now := p.now()
		p.fw.tick(now)
		if len(p.out) != before {
			p.cond.Broadcast()
		}
		due, ok := p.fw.nextDue()
		if !ok {
			p.timerOn = false
			p.mu.Unlock()
			return
		}
		wait := time.Duration(float64(due-now) / p.speed)
		if p.opts.Clock != nil && wait > 2*time.Millisecond {
			wait = 2 * time.Millisecond // a test's clock may jump at any time
		}
		p.mu.Unlock()
		t.Reset(max(wait, 0))
		select {
		case <-p.quit:
		case <-p.wake:
			t.Stop() // since Go 1.23 no stale tick is left to drain
		case <-t.C:
		}
	}
}
