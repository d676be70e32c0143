package comm

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

func TestReceivedHookChangesLines(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) {
		if cmd == "M999" {
			return "Error:not really\nok", true
		}
		return "", false
	}
	var seen atomic.Int32
	r.add("calm", server.HookGcodeReceived, server.ReceivedHook(func(line string) string {
		seen.Add(1)
		if line == "Error:not really" {
			return "echo:not really"
		}
		return line
	}))
	r.open(Options{})
	r.c.Send("M999", "", nil)
	r.c.Send("G28", "", nil)
	r.waitFor("G28", func() bool { return slices.Contains(r.p.commands(), "G28") })
	if r.c.State() != StateOperational {
		t.Fatalf("state %v: the rewritten error was still taken as an error", r.c.State())
	}
	if seen.Load() < 3 {
		t.Fatalf("received hook saw %d lines", seen.Load())
	}
}

func TestFirmwareReportAndCapabilities(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) {
		if cmd == "M115" {
			return "FIRMWARE_NAME:Fake Marlin 2.1 (Github) PROTOCOL_VERSION:1.0 MACHINE_TYPE:Test EXTRUDER_COUNT:1\nCap:EEPROM:1\nCap:AUTOREPORT_TEMP:1\nok", true
		}
		return "", false
	}
	var mu sync.Mutex
	var name string
	var data map[string]string
	var caps []string
	r.add("fw", server.HookFirmwareInfo, server.FirmwareInfoHook(func(n string, d map[string]string) {
		mu.Lock()
		name, data = n, d
		mu.Unlock()
	}))
	r.add("fw", server.HookFirmwareCapabilities, server.FirmwareCapabilityHook(func(c string, on bool, already map[string]bool) {
		mu.Lock()
		caps = append(caps, fmt.Sprintf("%s=%v after %d", c, on, len(already)))
		mu.Unlock()
	}))
	r.open(Options{})
	r.waitFor("M155 S2", func() bool { return slices.Contains(r.p.commands(), "M155 S2") })
	mu.Lock()
	defer mu.Unlock()
	if name != "Fake Marlin 2.1 (Github)" || data["MACHINE_TYPE"] != "Test" || data["EXTRUDER_COUNT"] != "1" {
		t.Fatalf("firmware %q %v", name, data)
	}
	if want := []string{"EEPROM=true after 0", "AUTOREPORT_TEMP=true after 1"}; !slices.Equal(caps, want) {
		t.Fatalf("capabilities %q, want %q", caps, want)
	}
	if fw := r.c.Firmware(); !fw.Capabilities["AUTOREPORT_TEMP"] {
		t.Fatalf("firmware %+v", fw)
	}
}

func TestTemperaturesHook(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) {
		if cmd == "M105" {
			return "ok T:20.5 /210.0 B:21.0 /60.0 @:0 B@:0", true
		}
		return "", false
	}
	r.add("offset", server.HookTemperaturesReceived, server.TemperaturesHook(func(temps map[string]server.Temperature) map[string]server.Temperature {
		out := maps.Clone(temps)
		t0 := out["T0"]
		t0.Actual += 1
		out["T0"] = t0
		return out
	}))
	r.open(Options{})
	r.c.Send("M105", "", nil)
	r.waitFor("temperatures", func() bool { return r.c.Temperatures() != nil })
	got := r.c.Temperatures()
	want := map[string]server.Temperature{"T0": {Actual: 21.5, Target: 210}, "B": {Actual: 21, Target: 60}}
	if !maps.Equal(got, want) {
		t.Fatalf("temperatures %v, want %v", got, want)
	}
}

func TestActionCommands(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) {
		if strings.HasPrefix(cmd, "M118 ") {
			return strings.TrimPrefix(cmd, "M118 ") + "\nok", true
		}
		return "", false
	}
	var mu sync.Mutex
	var actions []string
	r.add("act", server.HookAction, server.ActionHook(func(line, action, name, params string) {
		mu.Lock()
		actions = append(actions, action+"|"+name+"|"+params)
		mu.Unlock()
	}))
	r.open(Options{})
	src := NewFileSource(strings.NewReader("G1 X1\nM118 //action:pause\nG1 X2\nG1 X3\n"))
	if err := r.c.Print(src); err != nil {
		t.Fatal(err)
	}
	r.waitState(StatePaused)
	if err := r.c.Resume(); err != nil {
		t.Fatal(err)
	}
	r.waitFor("PrintDone", func() bool { return r.hasEvent(EventPrintDone) })
	r.c.Send("M118 //action:notification Hello there", "", nil)
	r.waitFor("notification", func() bool { mu.Lock(); defer mu.Unlock(); return len(actions) == 2 })
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"pause||", "notification|Hello|there"}; !slices.Equal(actions, want) {
		t.Fatalf("actions %q, want %q", actions, want)
	}
}

func TestAtCommands(t *testing.T) {
	r := newRig(t, Options{})
	var mu sync.Mutex
	var got []string
	for _, hook := range []string{server.HookAtCommandQueuing, server.HookAtCommandSending} {
		r.add("at", hook, server.AtCommandHook(func(phase, command, params string, tags []string) {
			mu.Lock()
			got = append(got, phase+" "+command+" "+params)
			mu.Unlock()
		}))
	}
	r.open(Options{})
	r.c.Send("@wave hello world", "", nil)
	r.c.Send("G28", "", nil)
	r.waitFor("G28", func() bool { return slices.Contains(r.p.commands(), "G28") })
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"queuing wave hello world", "sending wave hello world"}; !slices.Equal(got, want) {
		t.Fatalf("@ command hooks got %q, want %q", got, want)
	}
	if slices.Contains(r.p.commands(), "@wave hello world") {
		t.Fatal("an @ command reached the printer")
	}
}

// TestHandlersChangeWhilePrinting adds and removes handlers while a file
// prints: every line reaches the printer once, in order, and a handler
// takes effect on the next line.
func TestHandlersChangeWhilePrinting(t *testing.T) {
	r := newRig(t, Options{})
	r.open(Options{})
	var lines []string
	for i := range 3000 {
		lines = append(lines, fmt.Sprintf("G1 X%d", i))
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	first := make(chan struct{}) // closed after the first round: from then on a plugin's handlers are always there
	var calls atomic.Int64
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			if i == 1 {
				close(first)
			}
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("p%d", i%3)
			for _, hook := range []string{server.HookGcodeQueuing, server.HookGcodeSending, server.HookGcodeSent} {
				_ = r.reg.Add(id, hook, hooks.Registration{Func: server.GcodeHook(func(string, server.Command) []server.Command {
					calls.Add(1)
					return nil
				})})

			}
			r.reg.RemovePlugin(fmt.Sprintf("p%d", (i+1)%3))
		}
	}()
	<-first
	r.print(lines...)
	close(stop)
	<-done
	if got := r.sent(); !slices.Equal(got, lines) {
		t.Fatalf("printer got %d commands (want %d), first difference at %d", len(got), len(lines), firstDiff(got, lines))
	}
	if calls.Load() == 0 {
		t.Fatal("no handler ran while they were registered")
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestObserversOffTheSendPath: an observe-only handler of a plugin in a
// process of its own gets its calls in order, on a goroutine of its own: a
// slow one does not hold up the print. A handler that is not isolated is
// called on the send path even when it observes only.
func TestObserversOffTheSendPath(t *testing.T) {
	r := newRig(t, Options{})
	gate := make(chan struct{})
	var mu sync.Mutex
	var seen []string
	observe := server.Filter{Observe: true}
	if err := r.reg.Add("isolated", server.HookGcodeSent, hooks.Registration{Func: server.GcodeHook(func(_ string, cmd server.Command) []server.Command {
		<-gate
		mu.Lock()
		seen = append(seen, cmd.Line)
		mu.Unlock()
		return nil
	}), Filter: observe}); err != nil {
		t.Fatal(err)
	}
	var inline atomic.Int32
	if err := r.reg.Add("inproc", server.HookGcodeSent, hooks.Registration{Func: server.GcodeHook(func(string, server.Command) []server.Command {
		inline.Add(1)
		return nil
	}), Filter: observe}); err != nil {
		t.Fatal(err)
	}
	r.open(Options{Async: func(plugin string) bool { return plugin == "isolated" }})
	var lines []string
	for i := range 100 {
		lines = append(lines, fmt.Sprintf("G1 X%d", i))
	}
	r.print(lines...) // done while the isolated handler is still blocked
	if n := inline.Load(); n < 100 {
		t.Fatalf("the in-process observer saw %d lines by the end of the print, want every one", n)
	}
	close(gate)
	r.waitFor("the isolated observer's calls", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= 101 })
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, l := range seen {
		if strings.HasPrefix(l, "G1 ") {
			got = append(got, l)
		}
	}
	if !slices.Equal(got, lines) {
		t.Fatalf("the isolated observer saw %q, want the file's lines in order", got)
	}
}

// TestFiltersSkipCalls: a handler with a filter is called only for the
// commands or received lines it asks for, and one that asks for M117 also
// sees a command an earlier handler rewrote into M117.
func TestFiltersSkipCalls(t *testing.T) {
	r := newRig(t, Options{})
	var mu sync.Mutex
	calls := map[string][]string{}
	record := func(name string) server.GcodeHook {
		return func(_ string, cmd server.Command) []server.Command {
			mu.Lock()
			calls[name] = append(calls[name], cmd.Line)
			mu.Unlock()
			return nil
		}
	}
	add := func(plugin, hook string, order int, fn any, f server.Filter) {
		if err := r.reg.Add(plugin, hook, hooks.Registration{Func: fn, Order: order, HasOrder: true, Filter: f}); err != nil {
			t.Fatal(err)
		}
	}
	add("rewriter", server.HookGcodeSending, 1, server.GcodeHook(func(_ string, cmd server.Command) []server.Command {
		if cmd.Gcode == "M118" {
			return server.Rewrite("M117 from M118")
		}
		return nil
	}), server.Filter{Commands: []string{"M118"}})
	add("display", server.HookGcodeSending, 2, record("display"), server.Filter{Commands: []string{"M117"}})
	add("tools", server.HookGcodeSending, 3, record("tools"), server.Filter{Commands: []string{"T"}})
	var received []string
	add("echo", server.HookGcodeReceived, 1, server.ReceivedHook(func(line string) string {
		mu.Lock()
		received = append(received, line)
		mu.Unlock()
		return line
	}), server.Filter{Prefixes: []string{"echo:"}})
	r.p.answer = func(cmd string) (string, bool) {
		if cmd == "M119" {
			return "echo:endstops\nok", true
		}
		return "", false
	}
	r.open(Options{})
	r.print("G1 X1", "M117 hello", "T1", "M118 hi", "G1 X2", "M119")
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"M117 hello", "M117 from M118"}; !slices.Equal(calls["display"], want) {
		t.Errorf("the M117 handler got %q, want %q", calls["display"], want)
	}
	if want := []string{"T1"}; !slices.Equal(calls["tools"], want) {
		t.Errorf("the tool handler got %q, want %q", calls["tools"], want)
	}
	if want := []string{"echo:endstops"}; !slices.Equal(received, want) {
		t.Errorf("the echo handler got %q, want %q", received, want)
	}
}
