package comm

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// rig is a Conn on a fake printer with a hook registry.
type rig struct {
	t      *testing.T
	p      *fakePrinter
	tr     io.ReadWriteCloser // the transport: p unless set before open
	reg    *hooks.Registry
	c      *Conn
	mu     sync.Mutex
	events []Event
	faults []string
}

func newRig(t *testing.T, opts Options) *rig {
	t.Helper()
	r := &rig{t: t, p: newFakePrinter()}
	r.reg = hooks.NewRegistry(hooks.Options{OnFault: func(plugin, hook string, v any) {
		r.mu.Lock()
		r.faults = append(r.faults, fmt.Sprintf("%s %s %v", plugin, hook, v))
		r.mu.Unlock()
	}})
	h, err := DeclareHooks(r.reg)
	if err != nil {
		t.Fatal(err)
	}
	opts.Transport, opts.Hooks = r.p, h
	opts.OnEvent = func(e Event) {
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
	}
	if opts.TemperatureInterval == 0 {
		opts.TemperatureInterval = -1
	}
	return r
}

// open opens the connection and waits for it to be operational.
func (r *rig) open(opts Options) {
	r.t.Helper()
	if r.tr == nil {
		r.tr = r.p
	}
	opts.Transport, opts.Hooks = r.tr, r.mustHooks()
	opts.OnEvent = func(e Event) {
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
	}
	if opts.TemperatureInterval == 0 {
		opts.TemperatureInterval = -1
	}
	r.c = Open(opts)
	r.t.Cleanup(func() { _ = r.c.Close() })
	r.waitState(StateOperational)
	r.waitFor("M115", func() bool { return slices.Contains(r.p.commands(), "M115") })
}

func (r *rig) mustHooks() Hooks {
	h, err := DeclareHooks(r.reg)
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

func (r *rig) waitState(s State) {
	r.t.Helper()
	r.waitFor("state "+s.String(), func() bool { return r.c.State() == s })
}

func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; printer got %q; log:\n%s", what, r.p.commands(), strings.Join(r.logLines(), "\n"))
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *rig) logLines() []string {
	lines, _ := r.c.Log(0)
	return lines
}

func (r *rig) hasEvent(k EventKind) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// add registers handler for plugin on hook.
func (r *rig) add(plugin, hook string, handler any) {
	r.t.Helper()
	if err := r.reg.Add(plugin, hook, hooks.Registration{Func: handler}); err != nil {
		r.t.Fatal(err)
	}
}

// sent returns the commands the printer got after the connection's own.
func (r *rig) sent() []string {
	var out []string
	for _, c := range r.p.commands() {
		if c != "M110 N0" && c != "M115" {
			out = append(out, c)
		}
	}
	return out
}

// print prints lines and waits for the end of the print.
func (r *rig) print(lines ...string) {
	r.t.Helper()
	src := NewFileSource(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	if err := r.c.Print(src); err != nil {
		r.t.Fatal(err)
	}
	r.waitFor("PrintDone", func() bool { return r.hasEvent(EventPrintDone) })
}

func TestConnectNumbersAndChecksums(t *testing.T) {
	r := newRig(t, Options{})
	r.open(Options{})
	r.c.Send("G28", "", nil)
	r.waitFor("G28", func() bool { return slices.Contains(r.p.commands(), "G28") })
	r.p.mu.Lock()
	raw := slices.Clone(r.p.raw)
	r.p.mu.Unlock()
	want := []string{"M110 N0", "N1 M115*39", "N2 G28*17"}
	if !slices.Equal(raw, want) {
		t.Fatalf("printer got %q, want %q", raw, want)
	}
}

func TestPrintSendsEveryLineOnce(t *testing.T) {
	r := newRig(t, Options{})
	r.open(Options{})
	var lines []string
	for i := range 500 {
		lines = append(lines, fmt.Sprintf("G1 X%d ; move %d", i, i), "", "; comment")
	}
	r.print(lines...)
	got := r.sent()
	if len(got) != 500 {
		t.Fatalf("printer got %d commands, want 500", len(got))
	}
	for i, c := range got {
		if want := fmt.Sprintf("G1 X%d", i); c != want {
			t.Fatalf("command %d is %q, want %q", i, c, want)
		}
	}
	if r.c.State() != StateOperational {
		t.Fatalf("state after the print is %v", r.c.State())
	}
}

func TestResendAfterCorruptChecksum(t *testing.T) {
	r := newRig(t, Options{})
	r.open(Options{})
	r.p.mu.Lock()
	r.p.corrupt[5], r.p.corrupt[9] = true, true // the 3rd and 7th line of the file
	r.p.mu.Unlock()
	var lines []string
	for i := range 10 {
		lines = append(lines, fmt.Sprintf("G1 Y%d", i))
	}
	r.print(lines...)
	if got := r.sent(); !slices.Equal(got, lines) {
		t.Fatalf("printer executed %q, want %q", got, lines)
	}
	resent := 0
	for _, l := range r.logLines() {
		if strings.HasPrefix(l, "Recv: Resend:") {
			resent++
		}
	}
	if resent != 2 {
		t.Fatalf("%d resend requests in the log, want 2", resent)
	}
}

func TestLostOKTimesOut(t *testing.T) {
	r := newRig(t, Options{})
	drop := true
	r.p.answer = func(cmd string) (string, bool) {
		if cmd == "G4 P1" && drop {
			drop = false
			return "", true // no ok
		}
		return "", false
	}
	r.open(Options{Timeout: 100 * time.Millisecond})
	r.print("G4 P1", "G1 X1", "G1 X2")
	if got, want := r.sent(), []string{"G4 P1", "M105", "G1 X1", "G1 X2"}; !slices.Equal(got, want) { // M105 asks whether the printer is still there
		t.Fatalf("printer got %q, want %q", got, want)
	}
}

func TestSilentPrinterIsAnError(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) { return "", cmd == "G28" || cmd == "M105" }
	r.open(Options{Timeout: 40 * time.Millisecond, MaxTimeouts: 2})
	r.c.Send("G28", "", nil)
	r.waitState(StateError)
	if !r.hasEvent(EventError) {
		t.Fatal("no error event")
	}
}

func TestFirmwareErrorEndsPrintUnlessHandled(t *testing.T) {
	for _, handled := range []bool{false, true} {
		t.Run(fmt.Sprint("handled=", handled), func(t *testing.T) {
			r := newRig(t, Options{})
			r.p.answer = func(cmd string) (string, bool) {
				if cmd == "M999" {
					return "Error:Heating failed\nok", true
				}
				return "", false
			}
			var got []string
			r.add("guard", server.HookGcodeError, server.ErrorHook(func(msg string) bool {
				got = append(got, msg)
				return handled
			}))
			r.open(Options{})
			r.c.Send("M999", "", nil)
			r.c.Send("M105", "", nil)
			r.waitFor("M105 or error", func() bool {
				return slices.Contains(r.p.commands(), "M105") || r.c.State() == StateError
			})
			if handled {
				r.waitFor("M105", func() bool { return slices.Contains(r.p.commands(), "M105") })
				if r.c.State() != StateOperational {
					t.Fatalf("state %v after a handled error", r.c.State())
				}
			} else {
				r.waitState(StateError)
			}
			if !slices.Equal(got, []string{"Heating failed"}) {
				t.Fatalf("error hook got %q", got)
			}
		})
	}
}

func TestSendQueueKeepsOneCommandPerType(t *testing.T) {
	var q cmdQueue
	for _, c := range []server.Command{{Line: "M105", Type: "temperature_poll"}, {Line: "G28"}, {Line: "M105", Type: "temperature_poll"}, {Line: "G28"}} {
		q.push(c)
	}
	var got []string
	for c, ok := q.pop(); ok; c, ok = q.pop() {
		got = append(got, c.Line)
	}
	if want := []string{"M105", "G28", "G28"}; !slices.Equal(got, want) {
		t.Fatalf("queue gave %q, want %q", got, want)
	}
}

func TestPauseResumeCancel(t *testing.T) {
	r := newRig(t, Options{})
	// A handler pauses the print from the send path, as a plugin that
	// pauses at a filament change does.
	r.add("pauser", server.HookGcodeSending, server.GcodeHook(func(phase string, cmd server.Command) []server.Command {
		if cmd.Line == "G1 X2" {
			if err := r.c.Pause(); err != nil {
				t.Error(err)
			}
		}
		return nil
	}))
	r.open(Options{})
	var lines []string
	for i := range 6 {
		lines = append(lines, fmt.Sprintf("G1 X%d", i))
	}
	src := NewFileSource(strings.NewReader(strings.Join(lines, "\n")))
	if err := r.c.Print(src); err != nil {
		t.Fatal(err)
	}
	r.waitState(StatePaused)
	time.Sleep(50 * time.Millisecond)
	if got, want := r.sent(), lines[:3]; !slices.Equal(got, want) {
		t.Fatalf("printer got %q while paused, want %q", got, want)
	}
	if err := r.c.Resume(); err != nil {
		t.Fatal(err)
	}
	r.waitFor("PrintDone", func() bool { return r.hasEvent(EventPrintDone) })
	if got := r.sent(); !slices.Equal(got, lines) {
		t.Fatalf("printer got %q, want %q", got, lines)
	}
	if err := r.c.Cancel(); err != ErrNotPrinting {
		t.Fatalf("cancel after the print: %v, want ErrNotPrinting", err)
	}
}

// TestExchangeSameAsWrite: over a transport that is an exchanger, a print
// is what it is over one that is not: the same lines written in the same
// order, the same resends, the printer's own lines taken in order, the
// same terminal log; and the lines sent on an "ok" were exchanged.
func TestExchangeSameAsWrite(t *testing.T) {
	run := func(exchange bool) (raw, log []string, exchanges int) {
		r := newRig(t, Options{})
		ex := &exchangingPrinter{fakePrinter: r.p}
		if exchange {
			r.tr = ex
		}
		r.open(Options{})
		r.p.mu.Lock()
		r.p.corrupt[5] = true // the 3rd line of the file
		r.p.answer = func(cmd string) (string, bool) {
			switch cmd {
			case "G1 Y4":
				return "echo:busy: processing\nT:20.0 /0.0 B:21.0 /0.0\nok", true
			case "G1 Y6":
				return "ok T:22.0 /0.0 B:23.0 /0.0", true
			}
			return "", false
		}
		r.p.mu.Unlock()
		var lines []string
		for i := range 12 {
			lines = append(lines, fmt.Sprintf("G1 Y%d", i))
		}
		r.print(lines...)
		if got := r.sent(); !slices.Equal(got, lines) {
			t.Fatalf("exchange=%v: printer executed %q, want %q", exchange, got, lines)
		}
		r.p.mu.Lock()
		raw, exchanges = slices.Clone(r.p.raw), ex.exchanges
		r.p.mu.Unlock()
		return raw, r.logLines(), exchanges
	}
	raw, log, _ := run(false)
	// Every line read is logged once, before the line sent on it; the
	// last "ok", on which nothing is sent, too.
	want := []string{"Send: M110 N0", "Recv: ok", "Send: N1 M115*39", "Recv: ok",
		"Send: N2 G1 Y0*99", "Recv: ok", "Send: N3 G1 Y1*99", "Recv: ok", "Send: N4 G1 Y2*103", "Recv: ok",
		"Send: N5 G1 Y3*103", "Recv: Error:checksum mismatch, Last Line: 4", "Recv: Resend: 5", "Recv: ok",
		"Send: N5 G1 Y3*103", "Recv: ok",
		"Send: N6 G1 Y4*99", "Recv: echo:busy: processing", "Recv: T:20.0 /0.0 B:21.0 /0.0", "Recv: ok",
		"Send: N7 G1 Y5*99", "Recv: ok", "Send: N8 G1 Y6*111", "Recv: ok T:22.0 /0.0 B:23.0 /0.0",
		"Send: N9 G1 Y7*111", "Recv: ok", "Send: N10 G1 Y8*88", "Recv: ok", "Send: N11 G1 Y9*88", "Recv: ok",
		"Send: N12 G1 Y10*99", "Recv: ok", "Send: N13 G1 Y11*99", "Recv: ok"}
	if !slices.Equal(log, want) {
		t.Errorf("the log is\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	exRaw, exLog, exchanges := run(true)
	if !slices.Equal(raw, exRaw) {
		t.Errorf("the printer got\n%q\nwith exchanges, and\n%q\nwith writes", exRaw, raw)
	}
	if !slices.Equal(log, exLog) {
		t.Errorf("the log is\n%s\nwith exchanges, and\n%s\nwith writes", strings.Join(exLog, "\n"), strings.Join(log, "\n"))
	}
	// The first line of the print is written by the caller of Print; the
	// others, and the resend, are sent on an "ok".
	if exchanges < 11 {
		t.Errorf("%d exchanges, want at least 11", exchanges)
	}
}
