package virtualprinter

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/comm"
)

// TestProtocolPrintsAFile drives the printer with the server's protocol:
// connect, print a 1,000-line file over a line that corrupts every 97th
// line, and check that every line ran exactly once.
func TestProtocolPrintsAFile(t *testing.T) {
	p := New(Options{CorruptEvery: 97, ReadTimeout: 50 * time.Millisecond})
	var mu sync.Mutex
	var states []comm.State
	done := make(chan comm.Event, 1)
	c := comm.Open(comm.Options{Transport: p, TemperatureInterval: -1, OnEvent: func(e comm.Event) {
		switch e.Kind {
		case comm.EventState:
			mu.Lock()
			states = append(states, e.State)
			mu.Unlock()
		case comm.EventPrintDone, comm.EventPrintFailed, comm.EventError:
			select {
			case done <- e:
			default:
			}
		}
	}})
	defer c.Close()
	waitState(t, c, comm.StateOperational)
	if fw := waitFirmware(t, c); fw.Name != "Tentacle Virtual Marlin 1.0" || !fw.Capabilities["AUTOREPORT_TEMP"] {
		t.Errorf("firmware %+v", fw)
	}

	const lines = 1000
	var file strings.Builder
	file.WriteString("; a test file\nM83\n")
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&file, "G1 X%d E1 ; line %d\n", i%200, i)
	}
	before := p.Stats()
	if err := c.Print(comm.NewFileSource(strings.NewReader(file.String()))); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-done:
		if e.Kind != comm.EventPrintDone {
			t.Fatalf("print ended with %+v", e)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no end of the print; state %v, stats %+v", c.State(), p.Stats())
	}
	after := p.Stats()
	if moves := after.Moves - before.Moves; moves != lines {
		t.Errorf("%d moves ran, want %d", moves, lines)
	}
	if after.Resends == 0 {
		t.Error("no line was corrupted")
	}
	// Every line ran once: the relative extrusion adds up to the count.
	p.mu.Lock()
	e := p.fw.pos[3]
	p.mu.Unlock()
	if e != lines {
		t.Errorf("E is %v after the print, want %d", e, lines)
	}
	t.Logf("%d resends, last line %d", after.Resends, after.LastLine)
}

func waitState(t *testing.T, c *comm.Conn, want comm.State) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.State() != want {
		if time.Now().After(deadline) {
			t.Fatalf("state %v, want %v", c.State(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitFirmware(t *testing.T, c *comm.Conn) (fw struct {
	Name         string
	Capabilities map[string]bool
}) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f := c.Firmware()
		if f.Name != "" && len(f.Capabilities) >= 5 {
			fw.Name, fw.Capabilities = f.Name, f.Capabilities
			return fw
		}
		if time.Now().After(deadline) {
			t.Fatalf("no firmware report: %+v", f)
		}
		time.Sleep(time.Millisecond)
	}
}
