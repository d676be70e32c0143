package virtualprinter

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTemperatureRamp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup string
		after time.Duration
		want  string
	}{
		{"heating", "M104 S200\n", 5 * time.Second, "ok T:121.30 /200.00 B:21.30 /0.00 @:0 B@:0\n"},
		{"reaches target", "M104 S200\n", 60 * time.Second, "ok T:200.00 /200.00 B:21.30 /0.00 @:0 B@:0\n"},
		{"bed", "M140 S60\n", time.Second, "ok T:21.30 /0.00 B:41.30 /60.00 @:0 B@:0\n"},
		{"cooling to ambient", "M104 S100\n", 0, ""}, // see below
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			p := New(Options{Clock: clock.now})
			defer p.Close()
			write(t, p, tc.setup)
			drain(p)
			if tc.want == "" {
				clock.advance(10 * time.Second) // at 100
				write(t, p, "M104 S0\n")
				drain(p)
				clock.advance(2 * time.Second)
				tc.want = "ok T:60.00 /0.00 B:21.30 /0.00 @:0 B@:0\n"
			}
			clock.advance(tc.after)
			write(t, p, "M105\n")
			if got := drain(p); got != tc.want {
				t.Errorf("M105 answered %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTemperatureRateOption(t *testing.T) {
	clock := newFakeClock()
	p := New(Options{Clock: clock.now, TemperatureRate: 5, Extruders: 2})
	defer p.Close()
	write(t, p, "M104 T1 S100\n")
	clock.advance(2 * time.Second)
	drain(p)
	write(t, p, "M105\n")
	want := "ok T:21.30 /0.00 T0:21.30 /0.00 T1:31.30 /100.00 B:21.30 /0.00 @:0 B@:0\n"
	if got := drain(p); got != want {
		t.Errorf("M105 answered %q, want %q", got, want)
	}
}

// TestWaits checks commands that take simulated time: the lines they send
// while they last and the ok at their end, second by simulated second.
func TestWaits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cmd   string
		steps []string // output after each simulated second
	}{
		{"M109", "M109 S50", []string{
			" T:41.30 /50.00 B:21.30 /0.00 @:0 B@:0 W:?\n",
			"ok\n", // within 1 °C at 1.385 s
		}},
		{"M190", "M190 S45", []string{" T:21.30 /0.00 B:41.30 /45.00 @:0 B@:0 W:?\n", "ok\n"}},
		{"M109 without a target", "M109 S0", []string{"ok\n"}},
		{"G4", "G4 S5", []string{"", "echo:busy: processing\n", "", "echo:busy: processing\n", "ok\n"}},
		{"G4 P", "G4 P1500", []string{"", "ok\n"}},
		{"G28", "G28", []string{"", "echo:busy: processing\n", "", "ok\n"}},
		{"debug busy answers no ok", "!!DEBUG:busy 3", []string{"", "echo:busy: processing\n", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			p := New(Options{Clock: clock.now})
			defer p.Close()
			write(t, p, tc.cmd+"\n")
			if len(tc.steps) == 1 {
				if got := drain(p); got != tc.steps[0] {
					t.Errorf("got %q, want %q", got, tc.steps[0])
				}
				return
			}
			if got := drain(p); got != "" {
				t.Fatalf("answered %q at once", got)
			}
			for i, want := range tc.steps {
				clock.advance(time.Second)
				var got string
				if want != "" {
					got = waitFor(t, p, want)
				} else {
					time.Sleep(10 * time.Millisecond) // the timer polls a test clock every 2 ms
					got = drain(p)
				}
				if got != want {
					t.Errorf("second %d: got %q, want %q", i+1, got, want)
				}
			}
		})
	}
}

// TestHeldBack checks that a command sent while the printer is busy runs
// when it is done, and that M108 ends a heat-up wait.
func TestHeldBack(t *testing.T) {
	p := New(Options{Speedup: 1000})
	defer p.Close()
	write(t, p, "G4 S3\nM105\n")
	out := waitFor(t, p, "ok T:")
	if !strings.HasPrefix(out, "echo:busy: processing\nok\nok T:") {
		t.Errorf("got %q", out)
	}
	write(t, p, "M109 S250\n")
	write(t, p, "M108\n")
	// M109's ok and M108's; a wait line may come between them, the wait's
	// simulated time runs while the test writes.
	var b strings.Builder
	for deadline := time.Now().Add(5 * time.Second); strings.Count(b.String(), "ok\n") < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no two oks after M109 and M108; got:\n%s", b.String())
		}
		b.WriteString(drain(p))
	}
	if out = b.String(); strings.Contains(out, "T:250") {
		t.Errorf("the wait did not end: %q", out)
	}
}

func TestAutoreport(t *testing.T) {
	clock := newFakeClock()
	p := New(Options{Clock: clock.now})
	defer p.Close()
	write(t, p, "M155 S2\n")
	if got := drain(p); got != "ok\n" {
		t.Fatalf("M155 answered %q", got)
	}
	clock.advance(2 * time.Second)
	waitFor(t, p, " T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0\n")
	write(t, p, "M155 S0\n")
	drain(p)
	clock.advance(4 * time.Second)
	time.Sleep(20 * time.Millisecond)
	if got := drain(p); got != "" {
		t.Errorf("reports after M155 S0: %q", got)
	}
}

func TestStart(t *testing.T) {
	p := New(Options{Start: true})
	defer p.Close()
	if got := drain(p); got != "start\n" {
		t.Errorf("got %q, want start", got)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	p := New(Options{})
	done := make(chan error)
	go func() {
		_, err := p.Read(make([]byte, 64))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	p.Close()
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("Read returned %v, want io.EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Read still blocked after Close")
	}
	if _, err := p.Write([]byte("M105\n")); err == nil {
		t.Error("Write after Close did not fail")
	}
}

func TestReadTimeout(t *testing.T) {
	p := New(Options{ReadTimeout: 20 * time.Millisecond})
	defer p.Close()
	start := time.Now()
	_, err := p.Read(make([]byte, 64))
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Fatalf("Read returned %v, want an error with Timeout() true", err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("timed out after %v", d)
	}
	write(t, p, "M105\n") // still usable
	if n, err := p.Read(make([]byte, 64)); err != nil || n == 0 {
		t.Errorf("Read after a timeout: %d, %v", n, err)
	}
}

// TestConcurrent writes numbered lines on one goroutine while another
// reads the answers, with autoreports from the timer (run with -race).
func TestConcurrent(t *testing.T) {
	p := New(Options{Speedup: 1000})
	write(t, p, "M155 S1\n")
	const lines = 2000
	var wg sync.WaitGroup
	wg.Add(1)
	oks := 0
	go func() {
		defer wg.Done()
		buf := make([]byte, 256)
		var acc []byte
		for {
			n, err := p.Read(buf)
			if err != nil {
				return
			}
			acc = append(acc, buf[:n]...)
			oks = strings.Count(string(acc), "ok\n")
		}
	}()
	for i := int64(1); i <= lines; i++ {
		write(t, p, numbered(i, "G1 X1 E0.1"))
		if i%100 == 0 {
			write(t, p, numbered(i+2, "M105")) // out of order: a resend
		}
	}
	time.Sleep(20 * time.Millisecond)
	p.Close()
	wg.Wait()
	if s := p.Stats(); s.Moves != lines || s.Resends != lines/100 {
		t.Errorf("moves %d, resends %d", s.Moves, s.Resends)
	}
	if oks < lines+1 {
		t.Errorf("read %d oks, want at least %d", oks, lines+1)
	}
}
