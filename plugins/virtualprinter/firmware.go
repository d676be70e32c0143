package virtualprinter

import (
	"strconv"
	"time"
)

// firmware is the simulated Marlin: the state behind a [Printer]'s line.
// Every method is called with the Printer's mu held.
type firmware struct {
	p    *Printer
	opts Options

	last       int64 // number of the last numbered line accepted
	received   int   // numbered lines received, for Options.CorruptEvery
	corrupted  int64 // the line made to fail by CorruptEvery, not again
	mangleNext bool  // the next numbered line fails its checksum
	dropOK     bool  // the next "ok" is swallowed
	halted     bool

	pos      [4]float64 // X Y Z E
	relative bool       // G91
	relE     bool       // M83
	tool     int

	hotends []heater
	bed     heater

	autoreport time.Duration // M155 interval; 0: off
	nextReport time.Duration

	busy     bool // a command takes time
	busyOK   bool // an "ok" ends it
	busyEnd  time.Duration
	nextBusy time.Duration // next keepalive

	waiting  *heater // M109/M190 waits for it
	waitEnd  time.Duration
	nextWait time.Duration // next temperature line of the wait

	pending [][]byte // lines received while busy or waiting

	stats Stats
	buf   []byte
}

func (f *firmware) init(p *Printer, opts Options) {
	f.p, f.opts = p, opts
	f.corrupted = -1
	f.hotends = make([]heater, opts.Extruders)
	for i := range f.hotends {
		f.hotends[i] = heater{rate: opts.TemperatureRate, actual: ambient}
	}
	f.bed = heater{rate: opts.TemperatureRate, actual: ambient}
}

// blocked reports whether a command in progress holds back the next.
func (f *firmware) blocked() bool { return f.busy || f.waiting != nil }

func (f *firmware) ok() {
	if f.dropOK {
		f.dropOK = false
		return
	}
	f.p.out = append(f.p.out, "ok\n"...)
}

// resend answers a line that failed its check.
func (f *firmware) resend(msg string) {
	f.buf = append(f.buf[:0], "Error:"...)
	f.buf = append(f.buf, msg...)
	f.buf = append(f.buf, ", Last Line: "...)
	f.buf = strconv.AppendInt(f.buf, f.last, 10)
	f.buf = append(f.buf, "\nResend: "...)
	f.buf = strconv.AppendInt(f.buf, f.last+1, 10)
	f.p.sayBytes(f.buf)
	f.stats.Resends++
	if !f.opts.NoOkAfterResend {
		f.ok()
	}
}

// line handles one line as received, without its line end.
func (f *firmware) line(l []byte) {
	if f.halted || len(l) == 0 {
		return
	}
	numbered := false
	cmd := l
	if l[0] == 'N' {
		star := lastIndexByte(l, '*')
		if star < 0 {
			f.resend("No Checksum with line number")
			return
		}
		sp := indexByte(l, ' ')
		if sp < 0 || sp > star {
			sp = star
		}
		n, _ := parseInt(l[1:sp])
		cmd = trim(l[sp:star])
		isM110 := hasPrefix(cmd, "M110")
		if n != f.last+1 && !isM110 {
			f.resend("Line Number is not Last Line Number+1")
			return
		}
		f.received++
		cs, csOK := parseInt(l[star+1:])
		bad := !csOK || cs != checksum(l[:star])
		if f.mangleNext {
			f.mangleNext, bad = false, true
		}
		if k := f.opts.CorruptEvery; k > 0 && f.received%k == 0 && n != f.corrupted {
			f.corrupted, bad = n, true
		}
		if bad {
			f.resend("checksum mismatch")
			return
		}
		f.last = n
		f.stats.LastLine = n
		numbered = true
	}
	if hasPrefix(cmd, "!!DEBUG:") {
		f.debug(trim(cmd[len("!!DEBUG:"):]))
		if numbered {
			f.ok() // the host waits for it: the line number was used
		}
		return
	}
	if f.blocked() {
		if letter, num := codeOf(cmd); letter == 'M' && (num == 112 || num == 108) {
			f.exec(cmd) // the emergency parser's commands
			return
		}
		f.pending = append(f.pending, append([]byte(nil), cmd...))
		return
	}
	f.exec(cmd)
}

// tick produces what is due at simulated time now: autoreports, busy
// keepalives, the lines and end of a heat-up wait, and the commands held
// back by them.
func (f *firmware) tick(now time.Duration) {
	if f.halted {
		return
	}
	if f.autoreport > 0 {
		if now-f.nextReport > 10*f.autoreport {
			f.nextReport = now // the clock jumped: no flood of old reports
		}
		for f.nextReport <= now {
			f.report(f.nextReport, " ", "")
			f.nextReport += f.autoreport
		}
	}
	for {
		if f.busy {
			for f.nextBusy < f.busyEnd && f.nextBusy <= now {
				f.p.say("echo:busy: processing")
				f.nextBusy += f.opts.BusyInterval
			}
			if now < f.busyEnd {
				return
			}
			f.busy = false
			if f.busyOK {
				f.ok()
			}
		}
		if f.waiting != nil {
			for f.nextWait < f.waitEnd && f.nextWait <= now {
				f.report(f.nextWait, " ", " W:?")
				f.nextWait += time.Second
			}
			if now < f.waitEnd {
				return
			}
			f.waiting = nil
			f.ok()
		}
		if len(f.pending) == 0 {
			return
		}
		cmd := f.pending[0]
		f.pending = f.pending[1:]
		f.exec(cmd)
	}
}

// nextDue returns the simulated time of the next periodic output, and
// false when none is to come.
func (f *firmware) nextDue() (time.Duration, bool) {
	if f.halted {
		return 0, false
	}
	var due time.Duration
	ok := false
	at := func(t time.Duration) {
		if !ok || t < due {
			due, ok = t, true
		}
	}
	if f.autoreport > 0 {
		at(f.nextReport)
	}
	if f.busy {
		at(min(f.nextBusy, f.busyEnd))
	}
	if f.waiting != nil {
		at(min(f.nextWait, f.waitEnd))
	}
	return due, ok
}

// setBusy makes the firmware take d of simulated time, with keepalives,
// and answer ok at the end when withOK.
func (f *firmware) setBusy(d time.Duration, withOK bool) {
	now := f.p.now()
	if f.busy { // a debug busy during a command: the longer wins, the ok stays
		f.busyEnd = max(f.busyEnd, now+d)
		f.busyOK = f.busyOK || withOK
	} else {
		f.busy, f.busyOK = true, withOK
		f.busyEnd = now + d
		f.nextBusy = now + f.opts.BusyInterval
	}
	f.p.ensureTimer()
	f.tick(now)
}

// halt stops the firmware (M112): it says so and then nothing more.
func (f *firmware) halt() {
	f.p.say("Error:Printer halted. kill() called!")
	f.halted = true
	f.stats.Halted = true
	f.pending = nil
	f.busy, f.waiting, f.autoreport = false, nil, 0
}

// debugHelp is the answer to "!!DEBUG:help".
var debugHelp = []string{
	"echo:Debug commands, sent as !!DEBUG:<command>:",
	"echo:  mangle_checksum_next   the next numbered line fails its checksum",
	"echo:  drop_ok_next           the next ok is not sent",
	"echo:  error <text>           send Error:<text>",
	"echo:  action <name>          send //action:<name>",
	"echo:  busy <seconds>         be busy, with keepalives, for that long",
	"echo:  send <text>            send <text> as a line",
}

// debug runs a debug command, the text after "!!DEBUG:". It answers no
// ok of its own.
func (f *firmware) debug(cmd []byte) {
	name, arg := cmd, []byte(nil)
	if i := indexByte(cmd, ' '); i >= 0 {
		name, arg = cmd[:i], trim(cmd[i+1:])
	}
	switch string(name) {
	case "mangle_checksum_next":
		f.mangleNext = true
	case "drop_ok_next":
		f.dropOK = true
	case "error":
		f.p.say("Error:" + string(arg))
	case "action":
		f.p.say("//action:" + string(arg))
	case "send":
		f.p.sayBytes(arg)
	case "busy":
		s, err := strconv.ParseFloat(string(arg), 64)
		if err != nil || s < 0 {
			f.p.say("echo:busy needs a number of seconds")
			return
		}
		f.setBusy(time.Duration(s*float64(time.Second)), false)
	case "", "help", "?":
		for _, l := range debugHelp {
			f.p.say(l)
		}
	default:
		f.p.say("echo:Unknown debug command: " + string(cmd))
	}
}
