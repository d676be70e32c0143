package virtualprinter

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAnswers checks the answers to lines that take no simulated time.
func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		in   []string
		want string
	}{
		{name: "unnumbered line", in: []string{"G1 X1\n"}, want: "ok\n"},
		{name: "numbered lines", in: []string{numbered(1, "G1 X1"), numbered(2, "G1 X2")}, want: "ok\nok\n"},
		{name: "checksum mismatch asks for a resend",
			in:   []string{numbered(1, "G1 X1"), "N2 G1 X2*1\n", numbered(2, "G1 X2")},
			want: "ok\nError:checksum mismatch, Last Line: 1\nResend: 2\nok\nok\n"},
		{name: "no ok after resend",
			opts: Options{NoOkAfterResend: true},
			in:   []string{"N1 G1 X2*1\n"},
			want: "Error:checksum mismatch, Last Line: 0\nResend: 1\n"},
		{name: "line number mismatch asks for a resend",
			in:   []string{numbered(1, "G1 X1"), numbered(3, "G1 X3")},
			want: "ok\nError:Line Number is not Last Line Number+1, Last Line: 1\nResend: 2\nok\n"},
		{name: "M110 sets the line number",
			in:   []string{"M110 N41\n", numbered(42, "G1 X1")},
			want: "ok\nok\n"},
		{name: "numbered M110 sets the line number",
			in:   []string{numbered(7, "M110 N7"), numbered(8, "G1 X1")},
			want: "ok\nok\n"},
		{name: "M105", in: []string{"M105\n"}, want: "ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0\n"},
		{name: "M115",
			in: []string{"M115\n"},
			want: "FIRMWARE_NAME:Tentacle Virtual Marlin 1.0 PROTOCOL_VERSION:1.0 MACHINE_TYPE:Virtual Printer EXTRUDER_COUNT:1 UUID:6e0a7c2d-3a1b-4c5d-9e8f-7a6b5c4d3e2f\n" +
				"Cap:AUTOREPORT_TEMP:1\nCap:AUTOREPORT_POS:0\nCap:EMERGENCY_PARSER:1\nCap:EXTENDED_M20:0\nCap:EEPROM:0\nok\n"},
		{name: "M118 action", in: []string{"M118 //action:pause\n"}, want: "//action:pause\nok\n"},
		{name: "M118 flags", in: []string{"M118 A1 action:cancel\n", "M118 E1 hello\n"}, want: "//action:cancel\nok\necho:hello\nok\n"},
		{name: "no SD card", in: []string{"M21\n", "M20\n", "M23 a.gco\n"}, want: "echo:SD init fail\nok\necho:No media\nok\necho:No media\nok\n"},
		{name: "M112 halts", in: []string{"M112\n", "M105\n", numbered(1, "G1 X1")}, want: "Error:Printer halted. kill() called!\n"},
		{name: "debug mangle_checksum_next",
			in:   []string{"!!DEBUG:mangle_checksum_next\n", numbered(1, "G1 X1"), numbered(1, "G1 X1")},
			want: "Error:checksum mismatch, Last Line: 0\nResend: 1\nok\nok\n"},
		{name: "debug drop_ok_next", in: []string{"!!DEBUG:drop_ok_next\n", "G1 X1\n", "G1 X2\n"}, want: "ok\n"},
		{name: "debug error", in: []string{"!!DEBUG:error Thermal Runaway\n"}, want: "Error:Thermal Runaway\n"},
		{name: "debug action", in: []string{"!!DEBUG:action pause\n"}, want: "//action:pause\n"},
		{name: "numbered debug line is acknowledged", in: []string{numbered(1, "!!DEBUG:action resume")}, want: "//action:resume\nok\n"},
		{name: "unknown debug command", in: []string{"!!DEBUG:frobnicate\n"}, want: "echo:Unknown debug command: frobnicate\n"},
		{name: "line split across writes", in: []string{"N1 G1 ", "X1", numbered(1, "G1 X1")[len("N1 G1 X1"):], "M10", "5\n"},
			want: "ok\nok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0\n"},
		{name: "two lines in one write", in: []string{numbered(1, "G1 X1") + numbered(2, "G1 X2")}, want: "ok\nok\n"},
		{name: "CRLF and blanks", in: []string{"  G1 X1 \r\n", "\n"}, want: "ok\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(tc.opts)
			defer p.Close()
			for _, s := range tc.in {
				write(t, p, s)
			}
			if got := drain(p); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
		// Exchange answers the same, in the same order, part of it at
		// once and the rest to a Read: a buffer of 4 bytes.
		t.Run(tc.name+"/exchange", func(t *testing.T) {
			p := New(tc.opts)
			defer p.Close()
			var got strings.Builder
			for _, s := range tc.in {
				r := make([]byte, 4)
				n, err := p.Exchange([]byte(s), r)
				if err != nil {
					t.Fatalf("exchange %q: %v", s, err)
				}
				got.Write(r[:n])
			}
			got.WriteString(drain(p))
			if got.String() != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got.String(), tc.want)
			}
		})
	}
}

// TestExchangeWakesReader: a Read waiting for output gets what an Exchange
// with no room leaves, and an Exchange after Close fails.
func TestExchangeWakesReader(t *testing.T) {
	p := New(Options{})
	got := make(chan string)
	go func() {
		b := make([]byte, 64)
		n, _ := p.Read(b)
		got <- string(b[:n])
	}()
	for {
		p.mu.Lock()
		waiting := p.readers > 0
		p.mu.Unlock()
		if waiting {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if n, err := p.Exchange([]byte("G1 X1\n"), nil); n != 0 || err != nil {
		t.Fatalf("Exchange with no room = %d, %v", n, err)
	}
	if s := <-got; s != "ok\n" {
		t.Errorf("the waiting Read got %q, want \"ok\\n\"", s)
	}
	p.Close()
	if _, err := p.Exchange([]byte("G1 X1\n"), make([]byte, 8)); err == nil {
		t.Error("Exchange after Close did not fail")
	}
}

func TestPosition(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		want string
	}{
		{"absolute", []string{"G1 X1 Y2 F3000", "G0 Z0.4", "G1 E1.5"}, "X:1.00 Y:2.00 Z:0.40 E:1.50 Count X:80 Y:160 Z:160\n"},
		{"relative", []string{"G91", "G1 X1 E1", "G1 X1 E1"}, "X:2.00 Y:0.00 Z:0.00 E:2.00 Count X:160 Y:0 Z:0\n"},
		{"relative extrusion", []string{"M83", "G1 X5 E1", "G1 X6 E1", "G90", "G1 E1"}, "X:6.00 Y:0.00 Z:0.00 E:3.00 Count X:480 Y:0 Z:0\n"},
		{"G92", []string{"G1 X10 E5", "G92 E0", "G1 E1"}, "X:10.00 Y:0.00 Z:0.00 E:1.00 Count X:800 Y:0 Z:0\n"},
		{"G92 without axes", []string{"G1 X10 E5", "G92"}, "X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0\n"},
		{"lower case", []string{"g1 x-1.5 y.5"}, "X:-1.50 Y:0.50 Z:0.00 E:0.00 Count X:-120 Y:40 Z:0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(Options{})
			defer p.Close()
			for _, l := range tc.in {
				write(t, p, l+"\n")
			}
			drain(p)
			write(t, p, "M114\n")
			if got := drain(p); got != tc.want+"ok\n" {
				t.Errorf("M114 answered %q, want %q", got, tc.want+"ok\n")
			}
		})
	}
}

func TestCorruptEvery(t *testing.T) {
	p := New(Options{CorruptEvery: 3})
	defer p.Close()
	var got strings.Builder
	n := int64(1)
	for sent := 0; n <= 10 && sent < 100; sent++ {
		write(t, p, numbered(n, "G1 X1"))
		out := drain(p)
		got.WriteString(out)
		if !strings.Contains(out, "Resend:") {
			n++
		}
	}
	s := p.Stats()
	if s.LastLine != 10 || s.Moves != 10 {
		t.Errorf("last line %d, moves %d; want 10, 10", s.LastLine, s.Moves)
	}
	// Received lines 3, 6, 9, 12: lines 3, 5, 7 and 9 fail once each.
	if s.Resends != 4 || strings.Count(got.String(), "checksum mismatch") != 4 {
		t.Errorf("%d resends, want 4; output:\n%s", s.Resends, got.String())
	}
}

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
