//go:build linux

package printer_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
	"github.com/tentacle-go/tentacle/server"
)

// openPTY opens a pseudo-terminal pair: the master, and the name of the
// slave, a serial-like device the printer opens as a serial port.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	// The slave echoes nothing and passes bytes as they are.
	t.Cleanup(func() { _ = master.Close() })
	return master, fmt.Sprintf("/dev/pts/%d", n)
}

// TestPrintOverASerialPort prints through the server's real serial-port
// code: a pseudo-terminal's slave is the port, and the virtual printer
// answers on its master side.
func TestPrintOverASerialPort(t *testing.T) {
	master, port := openPTY(t)
	vp := virtualprinter.New(virtualprinter.Options{})
	defer vp.Close()
	go func() { _, _ = io.Copy(vp, master) }()
	go func() { _, _ = io.Copy(master, vp) }()

	r := newRig(t)
	if err := r.s.Connect(port, 115200); err != nil {
		t.Fatal(err)
	}
	r.waitFor("Operational", func() bool { return r.s.State().State.Flags.Ready })
	var file strings.Builder
	for i := range 200 {
		fmt.Fprintf(&file, "G1 X%d E1\n", i%50)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "part.gcode"), []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.s.SelectFile("part.gcode", true); err != nil {
		t.Fatal(err)
	}
	r.waitFor("PrintDone", func() bool { return r.has(server.EventPrintDone) })
	if st := r.s.State(); st.Port != port || st.Firmware.Name == "" {
		t.Errorf("state %+v: want port %s and the firmware's name", st, port)
	}
	if got := vp.Stats().Moves; got != 200 {
		t.Errorf("the printer ran %d moves, want 200", got)
	}
}
