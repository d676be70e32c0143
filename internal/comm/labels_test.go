package comm

import (
	"context"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proflabels"
	"github.com/tentacle-go/tentacle/server"
)

// TestHookCallLabels: on the Conn's read loop a timed handler's call runs
// under its plugin's, hook's and tier's profile labels and the loop's, and
// the loop has its own back for the next handler, also after a panic; a
// compiled-in handler runs under the loop's; an observe-only handler off
// the send path runs under the worker's, which has its own back between
// calls; a command sent from another goroutine leaves that goroutine's
// labels alone.
func TestHookCallLabels(t *testing.T) {
	r := newRig(t, Options{})
	r.p.answer = func(cmd string) (string, bool) {
		switch cmd {
		case "M115":
			return "FIRMWARE_NAME:Fake\nok", true
		case "M118 probe":
			return "echo:probe\nok", true
		}
		return "", false
	}
	var mu sync.Mutex
	got := map[string]map[string]string{} // "plugin line" -> labels
	record := func(plugin, line string) {
		labels, err := proflabels.Current()
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		got[plugin+" "+line] = labels
		mu.Unlock()
	}
	add := func(plugin, hook string, order int, tier string, fn any, f any) {
		t.Helper()
		reg := hooks.Registration{Func: fn, Order: order, HasOrder: true, Timed: tier != "", Tier: tier, Filter: f}
		if err := r.reg.Add(plugin, hook, reg); err != nil {
			t.Fatal(err)
		}
	}
	probe := func(plugin string, lines ...string) server.GcodeHook {
		return func(_ string, cmd server.Command) []server.Command {
			for _, l := range lines {
				if cmd.Line == l {
					record(plugin, l)
				}
			}
			if plugin == "src" && cmd.Line == "G1 X3" {
				panic("boom")
			}
			return nil
		}
	}
	add("api", server.HookGcodeQueuing, 1, "source", probe("api", "M117 api"), server.Filter{})
	add("src", server.HookGcodeSending, 1, "source", probe("src", "G1 X2"), server.Filter{})
	add("blt", server.HookGcodeSending, 2, "", probe("blt", "G1 X2", "G1 X3"), server.Filter{})
	add("obs", server.HookGcodeSent, 1, "process", probe("obs", "G1 X2"), server.Filter{Observe: true})
	add("proc", server.HookGcodeReceived, 1, "process", server.ReceivedHook(func(line string) string {
		if line == "echo:probe" {
			record("proc", line)
		}
		return line
	}), server.Filter{})
	add("fw", server.HookFirmwareInfo, 1, "source", server.FirmwareInfoHook(func(name string, _ map[string]string) {
		record("fw", name)
	}), nil)

	r.open(Options{Async: func(plugin string) bool { return plugin == "obs" }})
	r.print("G1 X1", "G1 X2", "G1 X3", "M118 probe")
	// A goroutine under labels of its own runs the queuing phase of what
	// it sends.
	defer pprof.SetGoroutineLabels(context.Background())
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("caller", "api")))
	r.c.Send("M117 api", "", nil)
	r.waitFor("the observer's call", func() bool { mu.Lock(); defer mu.Unlock(); return got["obs G1 X2"] != nil })

	comm := map[string]string{"tentacle_loop": "comm"}
	call := func(loop, plugin, hook, tier string) map[string]string {
		return map[string]string{"tentacle_loop": loop, "tentacle_plugin": plugin, "tentacle_hook": hook, "tentacle_tier": tier}
	}
	want := map[string]map[string]string{
		"api M117 api":    {"caller": "api"},
		"src G1 X2":       call("comm", "src", server.HookGcodeSending, "source"),
		"blt G1 X2":       comm,
		"blt G1 X3":       comm, // after src panicked
		"obs G1 X2":       call("comm.async", "obs", server.HookGcodeSent, "process"),
		"proc echo:probe": call("comm", "proc", server.HookGcodeReceived, "process"),
		"fw Fake":         call("comm", "fw", server.HookFirmwareInfo, "source"),
	}
	mu.Lock()
	defer mu.Unlock()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("labels during the calls (-want +got):\n%s", d)
	}
	workers, err := proflabels.Of("comm.(*asyncCalls).work")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]map[string]string{{"tentacle_loop": "comm.async"}}, workers); d != "" {
		t.Errorf("labels of the idle observer's worker (-want +got):\n%s", d)
	}
	if len(r.faults) != 1 {
		t.Errorf("faults %q, want src's panic", r.faults)
	}
}
