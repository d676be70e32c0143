package comm

import (
	"bytes"
	"errors"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/server"
)

// readLoop reads the printer's lines until the connection closes.
func (c *Conn) readLoop() {
	defer c.wg.Done()
	commLoop.Enter()
	lr := c.lr
	quietSince, timeouts := time.Now(), 0
	heard := false // a line came since the last timed-out read
	for {
		line, err := lr.next()
		if c.closed.Load() {
			return
		}
		if errors.Is(err, errReadTimeout) {
			// Lines may have come since the last check: the printer
			// is alive.
			if heard {
				heard, quietSince, timeouts = false, time.Now(), 0
				continue
			}
			if time.Since(quietSince) < c.opts.Timeout {
				continue
			}
			quietSince = time.Now()
			timeouts++
			c.timedOut(timeouts)
			continue
		}
		if err != nil {
			c.mu.Lock()
			c.fail("reading from the printer: " + err.Error())
			c.mu.Unlock()
			return
		}
		heard = true
		c.handleLine(line)
	}
}

// timedOut handles a printer silent for the timeout: the "ok" it owes is
// considered lost (the Conn goes on, and asks for temperatures to provoke
// an answer), until too many timeouts in a row make it an error.
func (c *Conn) timedOut(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.credit > 0 && c.State() != StateConnecting {
		return // nothing waits for an answer
	}
	if n >= c.opts.MaxTimeouts {
		c.fail("the printer did not answer for " + (time.Duration(n) * c.opts.Timeout).String())
		return
	}
	c.logf("no answer from the printer for %v, considering the ok lost and going on", c.opts.Timeout)
	c.log.add("", []byte("Communication timeout, considering the ok lost"))
	if c.State() == StateConnecting {
		c.credit = 1
		c.write("M110 N0", false)
		c.lineNo.set(0)
		c.credit = 0
		return
	}
	// Go on, and ask for temperatures: an answer shows the printer is
	// still there, silence counts as the next timeout.
	c.credit = 1
	c.qmu.Lock()
	if c.queue.len() == 0 {
		c.enqueueLocked(commLoop, server.Command{Line: "M105", Gcode: "M105", Type: "temperature_poll", Tags: []string{"trigger:comm.timeout"}})
	}
	c.qmu.Unlock()
	c.pump(commLoop)
}

// handleLine handles one line from the printer.
func (c *Conn) handleLine(b []byte) {
	ix := c.received.handlers()
	if string(b) == "ok" && (ix == nil || ix.n == 0) {
		c.ok(b) // logged with the line sent on it
		return
	}
	c.log.add("Recv: ", b)
	var line string
	if ix != nil && ix.n > 0 {
		line = c.runReceived(ix, lineString(b))
		b = nil
	}
	isOK := false
	if b != nil {
		isOK = bytes.HasPrefix(b, okPrefix) && (len(b) == 2 || b[2] == ' ')
		if !isOK || len(b) > 2 {
			line = string(b) // a bare "ok" is never needed as a string
		}
	} else {
		isOK = line == "ok" || strings.HasPrefix(line, "ok ")
	}
	if isOK {
		if line != "" && strings.Contains(line, "T:") {
			c.temperatures(line)
		}
		c.ok(nil)
		return
	}
	c.other(line)
}

var okPrefix = []byte("ok")

// lineString returns b as a string, without allocating for the most
// common line.
func lineString(b []byte) string {
	if string(b) == "ok" {
		return "ok"
	}
	return string(b)
}

// runReceived runs the received hook's handlers on line.
func (c *Conn) runReceived(ix *chainIndex[server.ReceivedHook], line string) string {
	for i := range ix.all {
		e := &ix.all[i]
		if e.filtered && !e.filter.MatchesLine(line) {
			e.Stats.Skip()
			continue
		}
		if e.async {
			c.async.deliver(e.Plugin, observed{hook: c.received.hook.Name(), line: line, recv: e.Fn, st: e.Stats, report: c.received.hook.Report})
			continue
		}
		line = c.callReceived(e, line)
	}
	return line
}

func (c *Conn) callReceived(e *entry[server.ReceivedHook], line string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			commLoop.Enter()
			c.received.hook.Report(e.Plugin, r)
			out = line
		}
	}()
	t := e.Stats.BeginOn(commLoop)
	out = e.Fn(line)
	e.Stats.EndOn(commLoop, t)
	return out
}

// ok handles the printer's acknowledgement: the printer has room for the
// next command. Called on the read loop's goroutine, whose pump may
// exchange the line it sends ([exchanger]). recv, when not nil, is the
// line read, not logged yet: it is logged with the line sent on it
// ([Conn.logSend]), or alone.
func (c *Conn) ok(recv []byte) {
	c.mu.Lock()
	c.recv = recv
	if c.State() == StateConnecting {
		c.logRecv()
		c.credit = 1
		c.setState(StateOperational)
		c.mu.Unlock()
		c.send(commLoop, "M115", "", []string{"trigger:comm.connected"})
		return
	}
	c.credit = 1
	c.exchanging = c.ex != nil
	c.pump(commLoop)
	c.exchanging = false
	c.logRecv() // nothing was sent on it
	c.checkDone()
	more := c.credit > 0 && c.pending()
	c.mu.Unlock()
	if more {
		c.kick(commLoop)
	}
}

// other handles every line that is not an "ok".
func (c *Conn) other(line string) {
	switch {
	case line == "":
	case strings.HasPrefix(line, "Resend:") || strings.HasPrefix(line, "rs "):
		if n, ok := ParseResend(line); ok {
			c.mu.Lock()
			if n >= 1 && n <= c.lineNo.n {
				c.resend = n
			}
			c.mu.Unlock()
		}
	case strings.HasPrefix(line, "Error:") || strings.HasPrefix(line, "!!"):
		c.firmwareError(line)
	case strings.HasPrefix(line, "start"):
		if c.State() == StateConnecting {
			c.ok(nil)
		}
	case strings.HasPrefix(line, "FIRMWARE_NAME:"):
		c.firmwareInfo(line)
	case strings.HasPrefix(line, "Cap:"):
		c.capability(line)
	case strings.HasPrefix(line, "//"):
		c.action(line)
	case strings.Contains(line, "T:") || strings.HasPrefix(line, "T0:"):
		c.temperatures(line)
	}
}

// resendErrors are the firmware's errors that a "Resend:" follows.
var resendErrors = []string{"checksum mismatch", "Line Number is not", "No Line Number", "No Checksum", "expected line", "Wrong checksum", "Missing checksum"}

// firmwareError handles an error the firmware reported: the error hook's
// handlers may handle it; otherwise a print is cancelled and the
// connection goes to the error state.
func (c *Conn) firmwareError(line string) {
	msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "Error:"), "!!"))
	for _, s := range resendErrors {
		if strings.Contains(msg, s) {
			return // the resend request follows
		}
	}
	if h := c.opts.Hooks.Error; h != nil {
		if h.CallUntilOn(commLoop, func(e hooksHandler[server.ErrorHook]) bool { return e.Fn(msg) }) {
			return
		}
	}
	c.mu.Lock()
	c.fail(msg)
	c.mu.Unlock()
}

// firmwareInfo handles the M115 report's first line.
func (c *Conn) firmwareInfo(line string) {
	data := ParseFirmwareInfo(line)
	name := data["FIRMWARE_NAME"]
	c.mu.Lock()
	c.firmware = server.Firmware{Name: name, Data: data, Capabilities: map[string]bool{}}
	fw := c.firmware
	c.mu.Unlock()
	if h := c.opts.Hooks.FirmwareInfo; h != nil {
		h.CallOn(commLoop, func(e hooksHandler[server.FirmwareInfoHook]) { e.Fn(name, data) })
	}
	c.emit(Event{Kind: EventFirmware, Firmware: fw})
}

// capability handles a "Cap:" line of the M115 report.
func (c *Conn) capability(line string) {
	name, enabled, ok := ParseCapability(line)
	if !ok {
		return
	}
	c.mu.Lock()
	if c.firmware.Capabilities == nil {
		c.firmware.Capabilities = map[string]bool{}
	}
	already := make(map[string]bool, len(c.firmware.Capabilities))
	for k, v := range c.firmware.Capabilities {
		already[k] = v
	}
	c.firmware.Capabilities[name] = enabled
	auto := name == "AUTOREPORT_TEMP" && enabled && !c.autoTemps
	if auto {
		c.autoTemps = true
	}
	fw := c.firmware
	c.mu.Unlock()
	if h := c.opts.Hooks.FirmwareCapabilities; h != nil {
		h.CallOn(commLoop, func(e hooksHandler[server.FirmwareCapabilityHook]) { e.Fn(name, enabled, already) })
	}
	if auto {
		c.send(commLoop, "M155 S2", "autoreport_temperature", []string{"trigger:comm.capabilities"})
	}
	c.emit(Event{Kind: EventFirmware, Firmware: fw})
}

// action handles an action command: its hook's handlers, then what the
// server does itself (pause, resume, cancel).
func (c *Conn) action(line string) {
	action, name, params, ok := ParseAction(line)
	if !ok {
		return
	}
	if h := c.opts.Hooks.Action; h != nil {
		h.CallOn(commLoop, func(e hooksHandler[server.ActionHook]) {
			if f, ok := e.Filter.(server.Filter); ok && !f.MatchesCommand(action) {
				return
			}
			e.Fn(line, action, name, params)
		})
	}
	switch action {
	case "pause":
		_ = c.Pause()
	case "resume":
		_ = c.Resume()
	case "cancel":
		_ = c.Cancel()
	}
}

// temperatures handles a temperature report.
func (c *Conn) temperatures(line string) {
	temps := ParseTemperatures(line)
	if temps == nil {
		return
	}
	if h := c.opts.Hooks.Temperatures; h != nil {
		for _, e := range h.Handlers() {
			if temps = callTemps(h, e, temps); len(temps) == 0 {
				return
			}
		}
	}
	c.temps.Store(&temps)
	c.emit(Event{Kind: EventTemperatures, Temperatures: temps})
}
