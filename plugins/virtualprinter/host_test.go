package virtualprinter

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/comm"
	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/server"
)

// TestProtocolPrintsAFile drives the printer with the server's protocol:
// connect, print a 1,000-line file over a line that corrupts every 97th
// line, and check that every line ran exactly once.
func TestProtocolPrintsAFile(t *testing.T) {
	p := New(Options{CorruptEvery: 97, ReadTimeout: 50 * time.Millisecond})
	done := make(chan comm.Event, 1)
	c := comm.Open(comm.Options{Transport: p, TemperatureInterval: -1, OnEvent: func(e comm.Event) {
		switch e.Kind {
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

// TestPlugin runs the plugin in a test host that declares the server's
// hooks, with settings from the configuration.
func TestPlugin(t *testing.T) {
	h := plugintest.New(t, ID, &Plugin, plugintest.Options{
		Declare: func(r *hooks.Registry) {
			for _, s := range server.Hooks() {
				if s.Name == server.HookSerialFactory || s.Name == server.HookSerialPortNames {
					if err := r.Declare(s); err != nil {
						t.Fatal(err)
					}
				}
			}
		},
		Config: "plugins:\n  virtual_printer:\n    temperatureRate: 5\n    okAfterResend: false\n    busyInterval: 1\n",
	})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	factories := h.Handlers(server.HookSerialFactory)
	if len(factories) != 1 {
		t.Fatalf("%d serial factory handlers", len(factories))
	}
	var open server.SerialFactoryHook
	if err := factories[0].As(&open); err != nil {
		t.Fatal(err)
	}
	if rw, err := open("/dev/ttyUSB0", 115200, time.Second); rw != nil || err != nil {
		t.Errorf("another port: %v, %v; want nil, nil", rw, err)
	}
	rw, err := open(Port, 115200, 30*time.Millisecond)
	if err != nil || rw == nil {
		t.Fatalf("VIRTUAL: %v, %v", rw, err)
	}
	defer rw.Close()
	p := rw.(*Printer)
	if o := p.opts; o.TemperatureRate != 5 || !o.NoOkAfterResend || o.BusyInterval != time.Second || o.ReadTimeout != 30*time.Millisecond || o.Speedup != 1 || o.Extruders != 1 {
		t.Errorf("options from the settings: %+v", o)
	}

	var names server.PortNamesHook
	if err := h.Handlers(server.HookSerialPortNames)[0].As(&names); err != nil {
		t.Fatal(err)
	}
	if got := names([]string{"/dev/ttyACM0"}); !slices.Equal(got, []string{"/dev/ttyACM0", Port}) {
		t.Errorf("port names %q", got)
	}
	if got := names([]string{Port}); !slices.Equal(got, []string{Port}) {
		t.Errorf("port names %q", got)
	}
}

func TestOptionsBeforeEnable(t *testing.T) {
	if o := (&Implementation{}).Options(); o.TemperatureRate != 0 || o.Speedup != 0 || o.NoOkAfterResend || o.BusyInterval != 0 {
		t.Errorf("options without settings: %+v", o)
	}
}

// TestProtocolActionPauses prints a file that makes the printer ask for a
// pause (M118 //action:pause): the server pauses, and the print ends once
// resumed.
func TestProtocolActionPauses(t *testing.T) {
	p := New(Options{ReadTimeout: 50 * time.Millisecond})
	done := make(chan comm.Event, 1)
	c := comm.Open(comm.Options{Transport: p, TemperatureInterval: -1, OnEvent: func(e comm.Event) {
		if e.Kind == comm.EventPrintDone || e.Kind == comm.EventPrintFailed {
			done <- e
		}
	}})
	defer c.Close()
	waitState(t, c, comm.StateOperational)
	var file strings.Builder
	for i := 1; i <= 200; i++ {
		if i == 50 {
			file.WriteString("M118 //action:pause\n")
		}
		file.WriteString("G1 X1\n")
	}
	if err := c.Print(comm.NewFileSource(strings.NewReader(file.String()))); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, comm.StatePaused)
	if m := p.Stats().Moves; m >= 200 {
		t.Errorf("%d moves before the pause took effect", m)
	}
	if err := c.Resume(); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-done:
		if e.Kind != comm.EventPrintDone {
			t.Fatalf("print ended with %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no end of the print")
	}
	if m := p.Stats().Moves; m != 200 {
		t.Errorf("%d moves, want 200", m)
	}
}
