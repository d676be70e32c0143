package comm

import "errors"

// Errors of the print controls.
var (
	ErrBusy        = errors.New("printer is busy printing")
	ErrNotReady    = errors.New("printer is not operational")
	ErrNotPrinting = errors.New("printer is not printing")
)

// Print streams src to the printer: each line goes through the G-code
// hooks tagged "source:file", after what the send queue holds. The state
// is Printing until the last line is acknowledged ([EventPrintDone]).
func (c *Conn) Print(src Source) error {
	c.mu.Lock()
	switch c.State() {
	case StateOperational:
	case StatePrinting, StatePaused:
		c.mu.Unlock()
		return ErrBusy
	default:
		c.mu.Unlock()
		return ErrNotReady
	}
	c.src, c.srcDone = src, false
	c.paused.Store(false)
	c.cancelled.Store(false)
	c.setState(StatePrinting)
	c.mu.Unlock()
	c.kick(nil)
	return nil
}

// Pause stops taking lines from the printed file; what was sent is
// finished. Like Resume and Cancel, it takes no lock, so that a hook's
// handler may call it on the send path (a plugin pausing at M600).
func (c *Conn) Pause() error {
	if c.State() != StatePrinting {
		return ErrNotPrinting
	}
	c.paused.Store(true)
	c.setState(StatePaused)
	return nil
}

// Resume goes on with a paused print.
func (c *Conn) Resume() error {
	if c.State() != StatePaused {
		return ErrNotPrinting
	}
	c.paused.Store(false)
	c.setState(StatePrinting)
	c.kick(nil)
	return nil
}

// Cancel stops the print: no more lines of the file are sent.
func (c *Conn) Cancel() error {
	if s := c.State(); s != StatePrinting && s != StatePaused {
		return ErrNotPrinting
	}
	c.cancelled.Store(true)
	c.paused.Store(false)
	c.setState(StateOperational)
	c.kick(nil)
	return nil
}

// checkDone ends a print whose file was sent to its end once the printer
// acknowledged its last line. Called with mu held.
func (c *Conn) checkDone() {
	if c.src == nil || !c.srcDone || c.credit == 0 || c.resend > 0 || c.cancelled.Load() {
		return
	}
	if c.queueLen() > 0 {
		return
	}
	c.src, c.srcDone = nil, false
	if s := c.State(); s == StatePrinting {
		c.setState(StateOperational)
	}
	c.emit(Event{Kind: EventPrintDone})
}

// fail puts the connection in the error state, ending a print. Called with
// mu held.
func (c *Conn) fail(msg string) {
	if s := c.State(); s == StateClosed || s == StateError {
		return
	}
	if c.src != nil {
		c.src = nil
		c.emit(Event{Kind: EventPrintFailed, Err: msg})
	}
	c.setState(StateError)
	c.emit(Event{Kind: EventError, Err: msg})
}
