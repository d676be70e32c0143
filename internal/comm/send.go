package comm

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// cmdQueue is the send queue: a FIFO of commands that passed the queuing
// phase, with at most one command of each non-empty type.
type cmdQueue struct {
	items []server.Command
	head  int
	n     atomic.Int32 // len(), readable without the queue's lock
}

func (q *cmdQueue) len() int { return len(q.items) - q.head }

func (q *cmdQueue) push(cmd server.Command) bool {
	if cmd.Type != "" {
		for _, c := range q.items[q.head:] {
			if c.Type == cmd.Type {
				return false
			}
		}
	}
	if q.head > 0 && q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	q.items = append(q.items, cmd)
	q.n.Store(int32(q.len()))
	return true
}

func (q *cmdQueue) pop() (server.Command, bool) {
	if q.head == len(q.items) {
		return server.Command{}, false
	}
	cmd := q.items[q.head]
	q.items[q.head] = server.Command{}
	q.head++
	q.n.Store(int32(q.len()))
	return cmd, true
}

// history keeps the last numbered lines sent, for resends.
type history struct {
	slots [64]struct {
		n    int64
		line []byte
	}
}

func (h *history) remember(n int64, line []byte) {
	s := &h.slots[n%int64(len(h.slots))]
	s.n, s.line = n, append(s.line[:0], line...)
}

func (h *history) get(n int64) ([]byte, bool) {
	s := &h.slots[n%int64(len(h.slots))]
	return s.line, s.n == n && len(s.line) > 0
}

// Send queues a command for the printer: it goes through the queuing and
// queued phases on the caller's goroutine, then waits in the send queue
// (at most one command of a non-empty type), and is sent when the printer
// has room. tags say where it comes from ("source:api", "plugin:<id>").
// The hooks it calls are not labelled (see [hooks.Loop]): the caller's
// goroutine is not the Conn's.
func (c *Conn) Send(line, typ string, tags []string) { c.send(nil, line, typ, tags) }

// send is Send on loop l's goroutine (nil: another's).
func (c *Conn) send(l *hooks.Loop, line, typ string, tags []string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	gcode, sub := CodeOf(line)
	cmd := server.Command{Line: line, Type: typ, Gcode: gcode, Subcode: sub, Tags: tags}
	if gcode == "M112" { // emergency stop: past the queue and the hooks
		c.mu.Lock()
		c.write(cmd.Line, false)
		c.mu.Unlock()
		return
	}
	c.qmu.Lock()
	c.enqueueLocked(l, cmd)
	c.qmu.Unlock()
	c.kick(l)
}

// enqueueLocked runs the queuing and queued phases, on loop l's goroutine
// (nil: another's), and queues the result. Called with qmu held.
func (c *Conn) enqueueLocked(l *hooks.Loop, cmd server.Command) {
	if strings.HasPrefix(cmd.Line, "@") {
		c.atCommand(l, server.PhaseQueuing, cmd)
		c.queue.push(cmd)
		return
	}
	many, drop := c.queuing.apply(l, &cmd)
	if drop {
		return
	}
	if many == nil {
		if c.queue.push(cmd) {
			c.queued.apply(l, &cmd)
		}
		return
	}
	for _, m := range many {
		if c.queue.push(m) {
			c.queued.apply(l, &m)
		}
	}
}

// kick sends what can be sent, on loop l's goroutine (nil: another's),
// unless another goroutine is sending; that one looks again after it lets
// go of the send lock.
func (c *Conn) kick(l *hooks.Loop) {
	for c.mu.TryLock() {
		c.pump(l)
		more := c.credit > 0 && c.pending()
		c.mu.Unlock()
		if !more {
			return
		}
	}
}

// pending reports whether there is something to send. Called with mu held.
func (c *Conn) pending() bool {
	if c.resend > 0 || (c.src != nil && !c.paused.Load() && !c.srcDone) {
		return true
	}
	return c.queueLen() > 0
}

// queued returns the length of the send queue, without its lock.
func (c *Conn) queueLen() int32 { return c.queue.n.Load() }

// pump sends commands while the printer has room: lines to resend first,
// then the send queue, then the printed file, on loop l's goroutine (nil:
// another's). Called with mu held.
func (c *Conn) pump(l *hooks.Loop) {
	for c.credit > 0 {
		if c.resend > 0 {
			c.resendNext()
			continue
		}
		var cmd server.Command
		ok := false
		if c.queueLen() > 0 {
			c.qmu.Lock()
			cmd, ok = c.queue.pop()
			c.qmu.Unlock()
		}
		if !ok {
			if !c.nextFromFile(l) {
				return
			}
			continue
		}
		c.sendCommand(l, cmd)
	}
}

// nextFromFile queues the file's next line, which may be expanded into
// several commands or suppressed, and reports whether there was one.
func (c *Conn) nextFromFile(l *hooks.Loop) bool {
	if c.src != nil && c.cancelled.Load() {
		c.src, c.srcDone = nil, false
		c.cancelled.Store(false)
	}
	if c.src == nil || c.paused.Load() || c.srcDone {
		return false
	}
	line, err := c.src.Next()
	if err != nil {
		c.srcDone = true
		if !errors.Is(err, io.EOF) {
			c.emit(Event{Kind: EventPrintFailed, Err: err.Error()})
			c.src = nil
		}
		c.checkDone()
		return false
	}
	gcode, sub := CodeOf(line)
	cmd := server.Command{Line: line, Gcode: gcode, Subcode: sub, Tags: fileTags}
	if strings.HasPrefix(line, "@") {
		c.qmu.Lock()
		c.enqueueLocked(l, cmd)
		c.qmu.Unlock()
		return true
	}
	// The queue is empty: the line skips it, unless it is expanded.
	many, drop := c.queuing.apply(l, &cmd)
	switch {
	case drop:
	case many != nil:
		c.qmu.Lock()
		for _, m := range many {
			if c.queue.push(m) {
				c.queued.apply(l, &m)
			}
		}
		c.qmu.Unlock()
	default:
		c.queued.apply(l, &cmd)
		c.sendCommand(l, cmd)
	}
	return true
}

// sendCommand runs the sending phase and writes the command. Called with
// mu held.
func (c *Conn) sendCommand(l *hooks.Loop, cmd server.Command) {
	if strings.HasPrefix(cmd.Line, "@") {
		c.atCommand(l, server.PhaseSending, cmd)
		return
	}
	if _, drop := c.sending.apply(l, &cmd); drop {
		return
	}
	if cmd.Gcode == "M110" {
		// A new line number: sent as is, the next line follows it.
		if n, ok := paramInt(cmd.Line, 'N'); ok {
			c.write(cmd.Line, false)
			c.lineNo.set(n)
			c.credit--
			c.sent.apply(l, &cmd)
			return
		}
	}
	c.write(cmd.Line, true)
	c.credit--
	c.sent.apply(l, &cmd)
}

// write writes line, numbered and checksummed when numbered. Called with
// mu held.
func (c *Conn) write(line string, numbered bool) {
	if numbered {
		c.buf = appendNumbered(c.buf[:0], c.lineNo.next(), line)
		c.history.remember(c.lineNo.n, c.buf)
	} else {
		c.buf = append(append(c.buf[:0], line...), '\n')
	}
	c.logSend(c.buf)
	if err := c.writeOut(c.buf); err != nil {
		c.fail("writing to the printer: " + err.Error())
	}
}

// logSend logs line b sent, after the line read that it was sent on when
// that one is not logged yet (an "ok": both under one lock of the log).
// Called with mu held.
func (c *Conn) logSend(b []byte) {
	if c.recv != nil {
		c.log.add2("Recv: ", c.recv, "Send: ", b)
		c.recv = nil
		return
	}
	c.log.add("Send: ", b)
}

// logRecv logs the line read that no line sent on it logged. Called with
// mu held.
func (c *Conn) logRecv() {
	if c.recv != nil {
		c.log.add("Recv: ", c.recv)
		c.recv = nil
	}
}

// writeOut writes b to the printer, exchanging it on the read loop's
// goroutine when the transport allows ([exchanger]). Called with mu held.
func (c *Conn) writeOut(b []byte) error {
	if c.exchanging { // c.lr is the calling goroutine's
		if room := c.lr.room(); len(room) >= minExchangeRoom {
			n, err := c.ex.Exchange(b, room)
			c.lr.added(n)
			return err
		}
	}
	_, err := c.t.Write(b)
	return err
}

// resendNext resends the next line the printer asked for again. Called
// with mu held.
func (c *Conn) resendNext() {
	line, ok := c.history.get(c.resend)
	if !ok {
		c.logf("printer asked for line %d again, which is no longer known; going on", c.resend)
		c.resend = 0
		return
	}
	c.logSend(line)
	if _, err := c.t.Write(line); err != nil {
		c.fail("writing to the printer: " + err.Error())
	}
	c.credit--
	if c.resend++; c.resend > c.lineNo.n {
		c.resend = 0
	}
}

// atCommand runs an @ command's hooks in phase and, when sending, what
// the server itself does with it (@pause, @resume, @cancel, @abort), on
// loop l's goroutine (nil: another's).
func (c *Conn) atCommand(l *hooks.Loop, phase string, cmd server.Command) {
	name, params := ParseAtCommand(cmd.Line)
	h := c.opts.Hooks.AtCommandQueuing
	if phase == server.PhaseSending {
		h = c.opts.Hooks.AtCommandSending
	}
	if h != nil {
		for _, e := range h.Handlers() {
			if f, ok := e.Filter.(server.Filter); ok && !f.MatchesCommand(name) {
				e.Stats.Skip()
				continue
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						l.Enter()
						h.Report(e.Plugin, r)
					}
				}()
				t := e.Stats.BeginOn(l)
				e.Fn(phase, name, params, cmd.Tags)
				e.Stats.EndOn(l, t)
			}()
		}
	}
	if phase != server.PhaseSending {
		return
	}
	switch name {
	case "pause":
		_ = c.Pause()
	case "resume":
		c.paused.Store(false) // the kick of Resume is the pump running now
		if c.State() == StatePaused {
			c.setState(StatePrinting)
		}
	case "cancel", "abort":
		_ = c.Cancel()
	}
}

// paramInt returns the integer value of parameter p in line ("N5" in
// "M110 N5").
func paramInt(line string, p byte) (int64, bool) {
	for i := 1; i < len(line); i++ {
		if line[i] == p && line[i-1] == ' ' {
			j := i + 1
			for j < len(line) && isDigit(line[j]) {
				j++
			}
			n, err := strconv.ParseInt(line[i+1:j], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
