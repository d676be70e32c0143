// Package comm is the tentacle server's side of the line to a printer: the
// protocol that Marlin, Prusa and RepRap firmware speak over a serial port.
// A [Conn] numbers and checksums every line, sends the next one when the
// printer acknowledges the last ("ok"), resends what the printer asks for
// again, keeps going through a busy printer's keepalives, detects a printer
// that stopped answering, polls temperatures, reads the firmware's M115
// report, streams a file for a print, and calls the server's printer hooks
// on every command and every received line.
//
// The send path takes no goroutine hand-off: the printer's "ok" is handled
// on the goroutine that read it, which sends the next line at once, and a
// command queued from elsewhere is sent by its caller when the printer has
// room. With an in-memory printer (the virtual printer) a print runs on one
// goroutine, and the line sent on an "ok" and its answer are handed over
// in one call (an exchange, see Options.Transport).
package comm

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// State is a connection's state.
type State int32

// States of a [Conn].
const (
	StateConnecting State = iota // waiting for the printer's first answer
	StateOperational
	StatePrinting
	StatePaused
	StateError  // the printer reported an error nobody handled, or stopped answering
	StateClosed // the connection is closed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "Connecting"
	case StateOperational:
		return "Operational"
	case StatePrinting:
		return "Printing"
	case StatePaused:
		return "Paused"
	case StateError:
		return "Error"
	case StateClosed:
		return "Offline"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// EventKind says what an [Event] reports.
type EventKind int

// Kinds of events.
const (
	EventState        EventKind = iota // the state changed: Event.State
	EventTemperatures                  // a temperature report: Event.Temperatures
	EventFirmware                      // the M115 report was read: Event.Firmware
	EventPrintDone                     // the file was sent and acknowledged to its end
	EventPrintFailed                   // the print stopped: Event.Err
	EventError                         // an error: Event.Err
)

// Event is something the connection reports to its owner.
type Event struct {
	Kind         EventKind
	State        State
	Temperatures map[string]server.Temperature
	Firmware     server.Firmware
	Err          string
}

// Options configure a [Conn].
type Options struct {
	// Transport is the line to the printer: a serial port, or what a
	// plugin's serial factory returned. The Conn closes it. A transport
	// with a method Exchange(w, r []byte) (int, error), an in-memory
	// printer that answers while a line is written (the virtual
	// printer's Printer.Exchange), has the lines sent on an "ok" written
	// and their answers taken in one call: Write, then a Read that does
	// not wait, moving at most len(r) bytes into r.
	Transport io.ReadWriteCloser
	// Hooks are the hooks the Conn calls.
	Hooks Hooks
	// OnEvent, when not nil, is called with what happens, on the
	// goroutine that saw it, sometimes while the Conn holds its send lock:
	// it must be quick and may only call [Conn.Send] and the Conn's
	// readers.
	OnEvent func(Event)
	// Async reports whether a plugin's observe-only handlers may be called
	// off the send path (its handlers run in a process of its own).
	Async func(plugin string) bool
	// Batcher returns the batcher of a plugin whose observe-only calls
	// are delivered off the send path (Async), or nil: its tier then
	// takes them in batches of what is queued, up to 256 at a time. A nil
	// Batcher, or a nil batcher: one call at a time.
	Batcher func(plugin string) tier.HookBatcher
	// Timeout is how long the printer may stay silent while a command
	// waits for its "ok" before the Conn considers the "ok" lost and goes
	// on (30 s if zero); a busy printer's keepalives reset it.
	Timeout time.Duration
	// MaxTimeouts is how many timeouts in a row put the connection in
	// the error state (5 if zero).
	MaxTimeouts int
	// TemperatureInterval is how often temperatures are polled with M105
	// when the firmware does not report them by itself (5 s if zero;
	// negative: never).
	TemperatureInterval time.Duration
	// Log is the terminal log the Conn writes every line sent and
	// received to; nil: a log of its own of 300 lines. A host passes one
	// to keep the log going across connections.
	Log *Log
	// Logger gets the protocol's warnings; nil discards them.
	Logger *slog.Logger
}

// fileTags are the tags of a line from a printed file (shared: never
// changed).
var fileTags = []string{"source:file"}

// Conn is a connection to a printer.
type Conn struct {
	opts Options
	t    io.ReadWriteCloser
	ex   exchanger   // t, when it is one
	lr   *lineReader // the read loop's
	log  *Log

	queuing, queued, sending, sent *gcodePhase
	received                       chain[server.ReceivedHook]
	async                          *asyncCalls

	state atomic.Int32
	temps atomic.Pointer[map[string]server.Temperature]

	qmu   sync.Mutex // the send queue
	queue cmdQueue

	mu      sync.Mutex // the send state below
	credit  int        // commands the printer may take now
	lineNo  lineNumber // the last numbered line sent
	resend  int64      // next line to resend; 0: none
	history history
	buf     []byte
	src     Source
	srcDone bool
	// exchanging is set while the read loop's goroutine pumps with
	// mu held: its lines may be exchanged, their answers put in lr.
	exchanging bool
	// recv is the line the read loop read and has not logged yet (an
	// "ok", in lr's buffer), set while it pumps with mu held.
	recv      []byte
	paused    atomic.Bool // the print is paused
	cancelled atomic.Bool // the print is cancelled; the pump drops it
	autoTemps bool
	firmware  server.Firmware

	closed    atomic.Bool // Close was called: the read loop stops
	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// Source is the lines of a file being printed.
type Source interface {
	// Next returns the next line to send, stripped of comments and
	// white space and never empty, or io.EOF at the end.
	Next() (string, error)
}

// Open starts the protocol on opts.Transport: it greets the printer
// (M110 N0) and returns; the Conn turns Operational when the printer
// answers, and then asks for its firmware (M115).
func Open(opts Options) *Conn {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxTimeouts <= 0 {
		opts.MaxTimeouts = 5
	}
	if opts.TemperatureInterval == 0 {
		opts.TemperatureInterval = 5 * time.Second
	}
	c := &Conn{opts: opts, t: opts.Transport, log: opts.Log, done: make(chan struct{}), credit: 1}
	c.ex, _ = c.t.(exchanger)
	c.lr = newLineReader(c.t)
	if c.log == nil {
		c.log = NewLog(300)
	}
	c.queuing = newPhase(c, server.PhaseQueuing, opts.Hooks.Queuing)
	c.queued = newPhase(c, server.PhaseQueued, opts.Hooks.Queued)
	c.sending = newPhase(c, server.PhaseSending, opts.Hooks.Sending)
	c.sent = newPhase(c, server.PhaseSent, opts.Hooks.Sent)
	c.received.hook, c.received.async = opts.Hooks.Received, opts.Async
	c.async = newAsyncCalls(c.logf, opts.Batcher)
	c.state.Store(int32(StateConnecting))
	c.wg.Add(1)
	go c.readLoop()
	if opts.TemperatureInterval > 0 {
		c.wg.Add(1)
		go c.pollTemperatures()
	}
	c.Send("M110 N0", "", nil)
	return c
}

// State returns the connection's state.
func (c *Conn) State() State { return State(c.state.Load()) }

// Temperatures returns the last temperature report, by the firmware's
// names ("T0", "B"), or nil.
func (c *Conn) Temperatures() map[string]server.Temperature {
	if p := c.temps.Load(); p != nil {
		return *p
	}
	return nil
}

// Firmware returns what the printer said of itself.
func (c *Conn) Firmware() server.Firmware {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.firmware
}

// Log returns the terminal lines logged after sequence number after and
// the sequence number to pass next time.
func (c *Conn) Log(after uint64) ([]string, uint64) { return c.log.Since(after) }

// Close closes the connection and its transport and waits for its
// goroutines.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		close(c.done)
		err = c.t.Close()
		c.setState(StateClosed)
	})
	c.wg.Wait()
	c.async.close()
	return err
}

// setState moves to s and reports it.
func (c *Conn) setState(s State) {
	if State(c.state.Swap(int32(s))) != s {
		c.emit(Event{Kind: EventState, State: s})
	}
}

func (c *Conn) emit(e Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(e)
	}
}

func (c *Conn) logf(format string, args ...any) {
	if c.opts.Logger != nil {
		c.opts.Logger.Warn(fmt.Sprintf(format, args...))
	}
}

// pollTemperatures asks for temperatures while the firmware does not
// report them by itself.
func (c *Conn) pollTemperatures() {
	defer c.wg.Done()
	commLoop.Enter()
	t := time.NewTicker(c.opts.TemperatureInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		switch c.State() {
		case StateOperational, StatePrinting, StatePaused:
			c.mu.Lock()
			auto := c.autoTemps
			c.mu.Unlock()
			if !auto {
				c.send(commLoop, "M105", "temperature_poll", []string{"trigger:comm.poll_temperature"})
			}
		}
	}
}
