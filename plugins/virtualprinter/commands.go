package virtualprinter

import (
	"math"
	"strconv"
	"time"
)

// ambient is the temperature of a heater that is off, in °C.
const ambient = 21.3

// Simulated durations of the commands that take time.
const (
	homingTime   = 4 * time.Second
	levelingTime = 10 * time.Second
	drainTime    = 500 * time.Millisecond // M400
)

// heater is a hotend or the bed: its temperature moves toward the target
// (ambient when off) at a fixed rate. Its state is the temperature at a
// simulated time; the temperature at any later time follows from it.
type heater struct {
	rate   float64 // °C per simulated second
	actual float64 // at time at
	at     time.Duration
	target float64
}

// temp returns the temperature at simulated time now.
func (h *heater) temp(now time.Duration) float64 {
	goal := h.target
	if goal == 0 {
		goal = ambient
	}
	step := h.rate * (now - h.at).Seconds()
	switch {
	case h.actual < goal:
		return math.Min(goal, h.actual+step)
	case h.actual > goal:
		return math.Max(goal, h.actual-step)
	}
	return goal
}

// set changes the target at simulated time now.
func (h *heater) set(now time.Duration, target float64) {
	h.actual, h.at, h.target = h.temp(now), now, target
}

// reachedAt returns the simulated time the heater comes within 1 °C of
// its target.
func (h *heater) reachedAt(now time.Duration) time.Duration {
	gap := math.Abs(h.target-h.temp(now)) - 1
	if gap <= 0 {
		return now
	}
	return now + time.Duration(gap/h.rate*float64(time.Second))
}

// report says the temperatures at simulated time now, as one line:
// prefix ("ok ", " "), the readings, suffix (" W:?").
func (f *firmware) report(now time.Duration, prefix, suffix string) {
	b := append(f.buf[:0], prefix...)
	h := &f.hotends[f.tool]
	b = appendTemp(b, "T", h.temp(now), h.target)
	if len(f.hotends) > 1 {
		for i := range f.hotends {
			b = append(b, " T"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = appendTemp(b, "", f.hotends[i].temp(now), f.hotends[i].target)
		}
	}
	b = appendTemp(append(b, ' '), "B", f.bed.temp(now), f.bed.target)
	b = append(b, " @:0 B@:0"...)
	b = append(b, suffix...)
	f.buf = b
	f.p.sayBytes(b)
}

// exec executes one command, stripped of line number and checksum.
func (f *firmware) exec(cmd []byte) {
	f.stats.Commands++
	letter, num := codeOf(cmd)
	switch letter {
	case 'G':
		f.gcode(num, cmd)
	case 'M':
		f.mcode(num, cmd)
	case 'T':
		if int(num) < len(f.hotends) {
			f.tool = int(num)
		} else {
			f.p.say("echo:T" + strconv.FormatInt(num, 10) + " Invalid extruder")
		}
		f.ok()
	default:
		f.ok()
	}
}

func (f *firmware) gcode(num int64, cmd []byte) {
	switch num {
	case 0, 1:
		f.move(cmd)
		f.ok()
	case 4:
		var d time.Duration
		if ms, ok := param(cmd, 'P'); ok {
			d = time.Duration(ms * float64(time.Millisecond))
		}
		if s, ok := param(cmd, 'S'); ok {
			d = time.Duration(s * float64(time.Second))
		}
		f.setBusy(d, true)
	case 28:
		any := false
		params(cmd, func(l byte, _ []byte) {
			if i := axis(l); i >= 0 && i < 3 {
				f.pos[i], any = 0, true
			}
		})
		if !any {
			f.pos[0], f.pos[1], f.pos[2] = 0, 0, 0
		}
		f.setBusy(homingTime, true)
	case 29:
		f.setBusy(levelingTime, true)
	case 90:
		f.relative = false
		f.ok()
	case 91:
		f.relative = true
		f.ok()
	case 92:
		any := false
		params(cmd, func(l byte, v []byte) {
			if i := axis(l); i >= 0 {
				if x, ok := parseFloat(v); ok {
					f.pos[i], any = x, true
				}
			}
		})
		if !any {
			f.pos = [4]float64{}
		}
		f.ok()
	default:
		f.ok()
	}
}

// move executes G0/G1, the hot path: a loop of its own over the words,
// with no call per word.
func (f *firmware) move(cmd []byte) {
	f.stats.Moves++
	for i := 2; i < len(cmd); i++ {
		if cmd[i-1] != ' ' {
			continue
		}
		a := axis(cmd[i] &^ 0x20)
		if a < 0 {
			continue
		}
		x, ok := parseFloat(cmd[i+1:])
		if !ok {
			continue
		}
		if f.relative || a == 3 && f.relE {
			f.pos[a] += x
		} else {
			f.pos[a] = x
		}
	}
}

// axis returns the index of an axis letter in pos, or -1.
func axis(l byte) int {
	switch l {
	case 'X':
		return 0
	case 'Y':
		return 1
	case 'Z':
		return 2
	case 'E':
		return 3
	}
	return -1
}

func (f *firmware) mcode(num int64, cmd []byte) {
	switch num {
	case 82, 83:
		f.relE = num == 83
	case 104, 109:
		h := &f.hotends[f.tool]
		if t, ok := param(cmd, 'T'); ok {
			if int(t) < 0 || int(t) >= len(f.hotends) {
				f.p.say("echo:T" + strconv.Itoa(int(t)) + " Invalid extruder")
				break
			}
			h = &f.hotends[int(t)]
		}
		if s, ok := param(cmd, 'S'); ok {
			h.set(f.p.now(), s)
		}
		if num == 109 && h.target > 0 {
			f.wait(h)
			return
		}
	case 140, 190:
		if s, ok := param(cmd, 'S'); ok {
			f.bed.set(f.p.now(), s)
		}
		if num == 190 && f.bed.target > 0 {
			f.wait(&f.bed)
			return
		}
	case 105:
		f.report(f.p.now(), "ok ", "")
		return
	case 108:
		if f.waiting != nil {
			f.waitEnd = f.p.now() // the wait ends at the next tick
			f.p.ensureTimer()
		}
	case 110:
		if n, ok := param(cmd, 'N'); ok {
			f.last = int64(n)
			f.stats.LastLine = f.last
		}
	case 112:
		f.halt()
		return
	case 114:
		f.position()
	case 115:
		f.p.say("FIRMWARE_NAME:Tentacle Virtual Marlin 1.0 PROTOCOL_VERSION:1.0 MACHINE_TYPE:Virtual Printer EXTRUDER_COUNT:" +
			strconv.Itoa(len(f.hotends)) + " UUID:6e0a7c2d-3a1b-4c5d-9e8f-7a6b5c4d3e2f")
		for _, c := range capabilities {
			f.p.say(c)
		}
	case 118:
		f.echo(cmd)
	case 155:
		f.autoreport = 0
		if s, ok := param(cmd, 'S'); ok && s > 0 {
			f.autoreport = time.Duration(s * float64(time.Second))
			f.nextReport = f.p.now() + f.autoreport
			f.p.ensureTimer()
		}
	case 21:
		f.p.say("echo:SD init fail")
	case 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 32, 33, 524, 928:
		f.p.say("echo:No media")
	case 400:
		f.setBusy(drainTime, true)
		return
	}
	f.ok()
}

// capabilities are the M115 report's capability lines.
var capabilities = []string{
	"Cap:AUTOREPORT_TEMP:1",
	"Cap:AUTOREPORT_POS:0",
	"Cap:EMERGENCY_PARSER:1",
	"Cap:EXTENDED_M20:0",
	"Cap:EEPROM:0",
}

// wait holds the ok of M109/M190 until h is within 1 °C of its target,
// with a temperature line every simulated second.
func (f *firmware) wait(h *heater) {
	now := f.p.now()
	f.waiting = h
	f.waitEnd = h.reachedAt(now)
	f.nextWait = now + time.Second
	f.p.ensureTimer()
	f.tick(now)
}

// position answers M114.
func (f *firmware) position() {
	b := f.buf[:0]
	for i, name := range [...]string{"X:", " Y:", " Z:", " E:"} {
		b = append(b, name...)
		b = strconv.AppendFloat(b, f.pos[i], 'f', 2, 64)
	}
	steps := [...]float64{80, 80, 400}
	b = append(b, " Count"...)
	for i, name := range [...]string{" X:", " Y:", " Z:"} {
		b = append(b, name...)
		b = strconv.AppendInt(b, int64(math.Round(f.pos[i]*steps[i])), 10)
	}
	f.buf = b
	f.p.sayBytes(b)
}

// echo answers M118: its text as a line, after the flags E1 ("echo:"),
// A1 ("//") and Pn (the serial port, ignored).
func (f *firmware) echo(cmd []byte) {
	i := indexByte(cmd, ' ')
	if i < 0 {
		f.p.say("")
		return
	}
	text := trim(cmd[i:])
	prefix := ""
	for len(text) >= 2 && (text[0] == 'E' || text[0] == 'A' || text[0] == 'P') && isDigit(text[1]) &&
		(len(text) == 2 || isSpace(text[2])) {
		switch {
		case text[0] == 'E' && text[1] == '1':
			prefix = "echo:"
		case text[0] == 'A' && text[1] == '1':
			prefix = "//"
		}
		text = trim(text[2:])
	}
	f.buf = append(append(f.buf[:0], prefix...), text...)
	f.p.sayBytes(f.buf)
}
