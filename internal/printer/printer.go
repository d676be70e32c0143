// Package printer is the tentacle server's printer: the connection to one
// printer (through a plugin's transport, such as the virtual printer, or
// a serial port), the selected file and its print, the state, temperatures
// and progress the REST API and the socket report, and the printer events.
// A [Service] is what plugins get injected as server.Printer.
package printer

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/comm"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// Options configure a [Service].
type Options struct {
	// Uploads is the folder printable files are selected from.
	Uploads string
	// Hooks is the registry the printer's hooks are declared in.
	Hooks *hooks.Registry
	// Fire publishes a printer event; it must not block.
	Fire func(event string, payload map[string]any)
	// Progress, when not nil, is called with each new whole percent of a
	// print's progress (ProgressPlugin's on_print_progress), off the send
	// path.
	Progress func(storage, path string, percent int)
	// Async reports whether a plugin's observe-only handlers may run off
	// the send path (see comm.Options.Async).
	Async func(plugin string) bool
	// Batcher is comm.Options.Batcher.
	Batcher func(plugin string) tier.HookBatcher
	// Timeout, MaxTimeouts and TemperatureInterval are the protocol's (see
	// comm.Options); zero means its defaults.
	Timeout             time.Duration
	MaxTimeouts         int
	TemperatureInterval time.Duration
	// Logger gets the printer's log.
	Logger *slog.Logger
}

// Baudrates are the baudrates offered for a serial port.
var Baudrates = []int{250000, 230400, 115200, 57600, 38400, 19200, 9600}

// Service is the server's printer.
type Service struct {
	opts    Options
	hooks   comm.Hooks
	factory *hooks.Hook[server.SerialFactoryHook]
	names   *hooks.Hook[server.PortNamesHook]
	log     *comm.Log

	mu        sync.Mutex
	conn      *comm.Conn
	port      string
	baudrate  int
	errText   string
	job       server.JobInfo
	src       *comm.FileSource
	file      *os.File
	started   time.Time
	lastTime  time.Duration    // the last print's duration
	ended     *server.Progress // the progress at the end of the last print of job, until another is selected or started
	printGen  int              // counts prints (and their ends), so a stale progress watcher stops
	finished  int              // the printGen at the end of the last print that was done
	connected bool             // the connection was operational since it opened
	state     comm.State       // the last state reported
	done      chan struct{}    // closed when the connection's watcher must stop
}

// New declares the printer's hooks in opts.Hooks and returns the printer,
// not connected.
func New(opts Options) (*Service, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Fire == nil {
		opts.Fire = func(string, map[string]any) {}
	}
	h, err := comm.DeclareHooks(opts.Hooks)
	if err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	s := &Service{opts: opts, hooks: h, log: comm.NewLog(300)}
	specs := map[string]hooks.Spec{}
	for _, sp := range server.Hooks() {
		specs[sp.Name] = sp
	}
	if s.factory, err = hooks.Declare[server.SerialFactoryHook](opts.Hooks, specs[server.HookSerialFactory]); err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	if s.names, err = hooks.Declare[server.PortNamesHook](opts.Hooks, specs[server.HookSerialPortNames]); err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	return s, nil
}

// Ports returns the serial ports found and the names plugins add (the
// virtual printer's VIRTUAL).
func (s *Service) Ports() []string {
	found, err := serial.GetPortsList()
	if err != nil {
		s.opts.Logger.Debug("listing serial ports", "error", err)
	}
	ports := slices.Clone(found)
	s.names.Call(func(h hooks.Handler[server.PortNamesHook]) {
		for _, p := range h.Fn(slices.Clone(found)) {
			if !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
	})
	return ports
}

// Baudrates returns the baudrates offered.
func (s *Service) Baudrates() []int { return slices.Clone(Baudrates) }

// Log returns the terminal lines ("Send: ...", "Recv: ...") logged after
// sequence number after, and the number to pass next time.
func (s *Service) Log(after uint64) ([]string, uint64) { return s.log.Since(after) }

// Connect implements [server.Printer].
func (s *Service) Connect(port string, baudrate int) error {
	if s.connection() != nil {
		if err := s.Disconnect(); err != nil {
			return err
		}
	}
	if port == "" {
		ports := s.Ports()
		if len(ports) == 0 {
			return errors.New("connect: no port found")
		}
		port = ports[0]
	}
	if baudrate == 0 {
		baudrate = Baudrates[0]
	}
	s.opts.Fire(server.EventConnecting, nil)
	t, err := s.open(port, baudrate)
	if err != nil {
		s.mu.Lock()
		s.errText = err.Error()
		s.mu.Unlock()
		s.opts.Fire(server.EventError, map[string]any{"error": err.Error(), "reason": "connection"})
		return fmt.Errorf("connect to %s: %w", port, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.port, s.baudrate, s.errText = port, baudrate, ""
	s.done = make(chan struct{})
	s.conn = comm.Open(comm.Options{
		Transport: t, Hooks: s.hooks, OnEvent: s.onEvent, Async: s.opts.Async, Batcher: s.opts.Batcher, Log: s.log,
		Timeout: s.opts.Timeout, MaxTimeouts: s.opts.MaxTimeouts, TemperatureInterval: s.opts.TemperatureInterval,
		Logger: s.opts.Logger,
	})
	return nil
}

// open opens the transport to port: the first serial factory handler that
// serves it, else the serial port.
func (s *Service) open(port string, baudrate int) (io.ReadWriteCloser, error) {
	const readTimeout = 250 * time.Millisecond
	var t io.ReadWriteCloser
	var ferr error
	s.factory.CallUntil(func(h hooks.Handler[server.SerialFactoryHook]) bool {
		t, ferr = h.Fn(port, baudrate, readTimeout)
		if ferr != nil {
			ferr = fmt.Errorf("plugin %s: %w", h.Plugin, ferr)
		}
		return t != nil || ferr != nil
	})
	if t != nil || ferr != nil {
		return t, ferr
	}
	p, err := serial.Open(port, &serial.Mode{BaudRate: baudrate})
	if err != nil {
		return nil, err
	}
	if err := p.SetReadTimeout(readTimeout); err != nil {
		_ = p.Close()
		return nil, err
	}
	return serialPort{p}, nil
}

// serialPort makes a serial port's timed-out read, which returns (0, nil),
// an error with a Timeout method.
type serialPort struct{ serial.Port }

func (p serialPort) Read(b []byte) (int, error) {
	n, err := p.Port.Read(b)
	if n == 0 && err == nil {
		return 0, errTimeout{}
	}
	return n, err
}

type errTimeout struct{}

func (errTimeout) Error() string { return "serial read timed out" }
func (errTimeout) Timeout() bool { return true }

// Disconnect implements [server.Printer].
func (s *Service) Disconnect() error {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	if s.done != nil {
		close(s.done)
		s.done = nil
	}
	printing := s.src != nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	s.opts.Fire(server.EventDisconnecting, nil)
	if printing {
		s.endPrint(server.EventPrintFailed, "error")
	}
	err := c.Close()
	s.opts.Fire(server.EventDisconnected, nil)
	s.stateChanged(comm.StateClosed)
	return err
}

// Close disconnects.
func (s *Service) Close() error { return s.Disconnect() }

func (s *Service) connection() *comm.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

// Commands implements [server.Printer]: commands sent by the API, tagged
// "source:api".
func (s *Service) Commands(commands []string) error {
	return s.send(commands, apiTags)
}

var apiTags = []string{"source:api"}

func (s *Service) send(commands []string, tags []string) error {
	c := s.connection()
	if c == nil {
		return server.ErrNotConnected
	}
	if st := c.State(); st == comm.StateClosed || st == comm.StateError {
		return server.ErrNotConnected
	}
	for _, cmd := range commands {
		c.Send(cmd, "", tags)
	}
	return nil
}

// SetTargets sets heaters' target temperatures: "tool0", "tool1", ...,
// "bed", "chamber".
func (s *Service) SetTargets(targets map[string]float64) error {
	var cmds []string
	for _, heater := range slices.Sorted(maps.Keys(targets)) {
		t := targets[heater]
		switch {
		case heater == "bed":
			cmds = append(cmds, fmt.Sprintf("M140 S%g", t))
		case heater == "chamber":
			cmds = append(cmds, fmt.Sprintf("M141 S%g", t))
		case len(heater) > 4 && heater[:4] == "tool":
			cmds = append(cmds, fmt.Sprintf("M104 T%s S%g", heater[4:], t))
		default:
			return fmt.Errorf("unknown heater %q", heater)
		}
	}
	return s.Commands(cmds)
}

// For returns the printer as plugin id sees it: its commands are tagged
// "source:plugin" and "plugin:<id>".
func (s *Service) For(id string) server.Printer {
	return pluginPrinter{s, []string{"source:plugin", "plugin:" + id}}
}

type pluginPrinter struct {
	*Service
	tags []string
}

func (p pluginPrinter) Commands(commands []string) error { return p.send(commands, p.tags) }

// clean returns a file's path in the uploads folder, or an error for one
// that would leave it.
func clean(p string) (string, error) {
	if p == "" || !filepath.IsLocal(filepath.FromSlash(p)) {
		return "", fmt.Errorf("bad file path %q", p)
	}
	return path.Clean(p), nil
}
