package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/cli"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/serve/fakeprinter"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// printServer runs a server with the fake printer on a new base directory
// until the test ends.
func printServer(t *testing.T, config string) (dir string, fake *fakeprinter.Printer) {
	t.Helper()
	dir = t.TempDir()
	if config != "" {
		if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := serve.New(serve.Options{
		BaseDir: dir, Port: -1, Console: io.Discard, Origins: []tier.Origin{},
		Printer: func(fire func(string, map[string]any)) (server.Printer, error) {
			fake = fakeprinter.New(filepath.Join(dir, "uploads"), fire)
			return fake, nil
		},
	})
	runServer(t, srv, err)
	return dir, fake
}

// runServer runs srv (made by serve.New, with err) until the test ends.
func runServer(t *testing.T, srv *serve.Server, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
}

// gcode writes a G-code file of n bytes and returns its path.
func gcode(t *testing.T, name string, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, bytes.Repeat([]byte("G1\n"), n/3), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrint(t *testing.T) {
	for _, c := range []struct {
		name     string
		config   string
		args     []string
		step     int64
		act      func(fake *fakeprinter.Printer, interrupt chan struct{})
		status   int
		stdout   []string
		stderr   string
		port     string
		uploaded bool
	}{
		{name: "done on VIRTUAL", step: 1000, status: 0, port: "VIRTUAL", uploaded: true,
			stdout: []string{"uploaded cube.gcode", "connected to VIRTUAL", "printing cube.gcode", "done: cube.gcode printed in"}},
		{name: "saved port", config: "serial:\n  port: /dev/ttyFAKE\n", step: 1000, status: 0, port: "/dev/ttyFAKE", uploaded: true,
			stdout: []string{"connected to /dev/ttyFAKE", "done: cube.gcode"}},
		{name: "--port", args: []string{"--port", "/dev/ttyFAKE", "--baudrate", "115200"}, step: 1000, status: 0, port: "/dev/ttyFAKE", uploaded: true,
			stdout: []string{"connected to /dev/ttyFAKE"}},
		{name: "unknown port", args: []string{"--port", "/dev/none"}, status: 1, uploaded: true,
			stderr: "not one of the available ports"},
		{name: "failed", status: 1, port: "", uploaded: true,
			act: func(fake *fakeprinter.Printer, _ chan struct{}) {
				waitPrinting(fake)
				_ = fake.Disconnect()
			},
			stderr: "the print of cube.gcode failed"},
		{name: "interrupted", status: 130, port: "VIRTUAL", uploaded: true,
			act: func(fake *fakeprinter.Printer, interrupt chan struct{}) {
				waitPrinting(fake)
				close(interrupt)
			},
			stderr: "interrupted: the print of cube.gcode is cancelled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, fake := printServer(t, c.config)
			fake.SetStep(c.step)
			interrupt := make(chan struct{})
			cli.SetInterrupt(t, interrupt)
			if c.act != nil {
				go c.act(fake, interrupt)
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"print", "--basedir", dir, gcode(t, "cube.gcode", 3000)}, c.args...)
			status := cli.Main(args, &stdout, &stderr)
			if status != c.status {
				t.Fatalf("status %d, want %d\nstdout: %s\nstderr: %s", status, c.status, &stdout, &stderr)
			}
			for _, l := range c.stdout {
				if !strings.Contains(stdout.String(), l) {
					t.Errorf("stdout lacks %q:\n%s", l, &stdout)
				}
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, &stderr)
			}
			if got := fake.State().Port; got != c.port {
				t.Errorf("connected to %q, want %q", got, c.port)
			}
			if _, err := os.Stat(filepath.Join(dir, "uploads", "cube.gcode")); (err == nil) != c.uploaded {
				t.Errorf("uploaded: %v", err)
			}
			if c.status == 130 && fake.State().State.Text != "Operational" {
				t.Errorf("after the interrupt the printer is %s", fake.State().State.Text)
			}
		})
	}
}

func TestPrintRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"print", "--basedir", dir, gcode(t, "x.gcode", 3)}, "no server runs on"},
		{[]string{"print", "--basedir", dir, gcode(t, "x.stl", 3)}, "not a printable file"},
		{[]string{"print", "--basedir", dir, filepath.Join(dir, "none.gcode")}, "no such file"},
	} {
		var stdout, stderr bytes.Buffer
		if status := cli.Main(c.args, &stdout, &stderr); status != 1 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: status %d, stderr %q; want 1 and %q", c.args, status, &stderr, c.want)
		}
	}
}

// waitPrinting waits until the fake prints.
func waitPrinting(fake *fakeprinter.Printer) {
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if fake.State().State.Flags.Printing {
			return
		}
	}
}

func TestPrinterCommands(t *testing.T) {
	dir, fake := printServer(t, "")
	for _, c := range []struct {
		args   []string
		status int
		stdout string
		check  func() bool
	}{
		{[]string{"printer", "state"}, 0, "state: Offline\n", nil},
		{[]string{"printer", "send", "G28"}, 1, "", nil},
		{[]string{"printer", "connect"}, 0, "connected\n", func() bool { return fake.State().Port == "VIRTUAL" }},
		{[]string{"printer", "send", "G28", "M105"}, 0, "", func() bool { return slices.Equal(fake.Sent(), []string{"G28", "M105"}) }},
		{[]string{"printer", "state"}, 0, "state: Operational (VIRTUAL at 250000)\nbed: 20.25 / 0 °C\ntool0: 21.5 / 0 °C\n", nil},
		{[]string{"printer", "send"}, 2, "", nil},
		{[]string{"printer", "disconnect"}, 0, "disconnected\n", func() bool { return fake.State().State.Text == "Offline" }},
		{[]string{"printer", "connect", "--port", "/dev/ttyFAKE", "--baudrate", "115200"}, 0, "connected\n", func() bool { return fake.State().Port == "/dev/ttyFAKE" }},
	} {
		var stdout, stderr bytes.Buffer
		status := cli.Main(append(c.args, "--basedir", dir), &stdout, &stderr)
		if status != c.status || (c.stdout != "" && stdout.String() != c.stdout) {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %d, %q", c.args, status, &stdout, &stderr, c.status, c.stdout)
		}
		if c.check != nil && !c.check() {
			t.Errorf("%v: not done", c.args)
		}
	}
}
