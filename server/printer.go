package server

import (
	"errors"

	"github.com/tentacle-go/tentacle"
)

// InjectPrinter is the name under which the server injects its [Printer]
// (OctoPrint's _printer).
const InjectPrinter = "printer"

// Printer is the server's printer connection as plugins see it, OctoPrint's
// PrinterInterface: connect, send commands, select and print files, read
// the state. Every method is safe to call from any goroutine; the ones that
// change something return at once and report what follows as events
// ([EventConnected], [EventPrintStarted], ...).
type Printer interface {
	// Connect opens port at baudrate (0: the configured or detected
	// rate); an empty port means the configured one, else the first
	// found. It returns once the port is open; the printer is
	// Operational after its first answer.
	Connect(port string, baudrate int) error
	// Disconnect closes the connection, cancelling a running print.
	Disconnect() error
	// Commands queues commands for the printer, as OctoPrint's
	// commands(): each goes through the G-code hooks, tagged
	// "source:plugin" and "plugin:<id>" when a plugin sends it.
	Commands(commands []string) error
	// SelectFile selects a G-code file of the uploads folder by its path
	// there, and starts printing it when print is true.
	SelectFile(path string, print bool) error
	// UnselectFile forgets the selected file.
	UnselectFile() error
	// StartPrint prints the selected file from its start.
	StartPrint() error
	// PausePrint, ResumePrint and CancelPrint act on the running print.
	PausePrint() error
	ResumePrint() error
	CancelPrint() error
	// State returns the printer's state, temperatures, job and progress.
	State() PrinterState
}

// Errors of [Printer] calls that callers branch on (the REST API answers
// 409 Conflict to each).
var (
	ErrNotConnected = errors.New("printer is not connected")
	ErrNotReady     = errors.New("printer is not ready")
	ErrNotPrinting  = errors.New("printer is not printing")
	ErrNoFile       = errors.New("no file selected")
)

// PrinterState is a snapshot of the printer: OctoPrint's state, job,
// progress and temperature data of its push updates and REST answers.
type PrinterState struct {
	State        StateInfo              `json:"state"`
	Job          JobInfo                `json:"job"`
	Progress     Progress               `json:"progress"`
	Temperatures map[string]Temperature `json:"temperatures"` // "tool0", "bed", "chamber"
	Firmware     Firmware               `json:"firmware"`
	Port         string                 `json:"port,omitempty"`
	Baudrate     int                    `json:"baudrate,omitempty"`
}

// StateInfo is OctoPrint's state: its text ("Operational", "Printing",
// "Offline", ...) and flags.
type StateInfo struct {
	Text  string     `json:"text"`
	Flags StateFlags `json:"flags"`
	Error string     `json:"error,omitempty"`
}

// StateFlags are OctoPrint's state flags.
type StateFlags struct {
	Operational   bool `json:"operational"`
	Printing      bool `json:"printing"`
	Cancelling    bool `json:"cancelling"`
	Pausing       bool `json:"pausing"`
	Resuming      bool `json:"resuming"`
	Finishing     bool `json:"finishing"`
	ClosedOrError bool `json:"closedOrError"`
	Error         bool `json:"error"`
	Paused        bool `json:"paused"`
	Ready         bool `json:"ready"`
	SDReady       bool `json:"sdReady"`
}

// JobInfo is the selected file, OctoPrint's job.file.
type JobInfo struct {
	Name    string `json:"name,omitempty"`    // the file's name
	Path    string `json:"path,omitempty"`    // its path in the uploads folder
	Origin  string `json:"origin,omitempty"`  // "local"
	Size    int64  `json:"size,omitempty"`    // in bytes
	Date    int64  `json:"date,omitempty"`    // modification time, Unix seconds
	User    string `json:"user,omitempty"`    // who started the print
	Display string `json:"display,omitempty"` // the name shown
}

// Progress is a running print's progress, OctoPrint's progress. After a
// print it stays where the print ended (a print that is done: 100
// percent, the whole file, no time left) until a file is selected or a
// print starts.
type Progress struct {
	Completion    float64 `json:"completion"` // percent of the file's bytes sent
	Filepos       int64   `json:"filepos"`
	PrintTime     float64 `json:"printTime"`     // seconds since the start
	PrintTimeLeft float64 `json:"printTimeLeft"` // estimated seconds left; 0: unknown
	Lines         int64   `json:"lines"`         // Tentacle: lines sent from the file
}

// Firmware is what the printer said of itself in answer to M115.
type Firmware struct {
	Name         string            `json:"name,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Capabilities map[string]bool   `json:"capabilities,omitempty"`
}

// PrinterOf returns the printer injected into a plugin (its
// implementation, Base or Context), or nil outside the server. A plugin in
// a process of its own gets one whose calls go to the server.
func PrinterOf(p any) Printer {
	switch v := injected(p, InjectPrinter).(type) {
	case Printer:
		return v
	case tentacle.RemoteCaller:
		return printerProxy{v}
	}
	return nil
}

// printerProxy reaches the server's printer from a plugin's process.
type printerProxy struct{ c tentacle.RemoteCaller }

func (p printerProxy) Connect(port string, baudrate int) error {
	return p.c.Call("Connect", []any{port, baudrate})
}
func (p printerProxy) Disconnect() error { return p.c.Call("Disconnect", nil) }
func (p printerProxy) Commands(commands []string) error {
	return p.c.Call("Commands", []any{commands})
}
func (p printerProxy) SelectFile(path string, print bool) error {
	return p.c.Call("SelectFile", []any{path, print})
}
func (p printerProxy) UnselectFile() error { return p.c.Call("UnselectFile", nil) }
func (p printerProxy) StartPrint() error   { return p.c.Call("StartPrint", nil) }
func (p printerProxy) PausePrint() error   { return p.c.Call("PausePrint", nil) }
func (p printerProxy) ResumePrint() error  { return p.c.Call("ResumePrint", nil) }
func (p printerProxy) CancelPrint() error  { return p.c.Call("CancelPrint", nil) }
func (p printerProxy) State() (s PrinterState) {
	_ = p.c.Call("State", nil, &s)
	return s
}

// PrintProgress is implemented by plugins that follow a print's progress
// (ProgressPlugin.on_print_progress): it is called with each new whole
// percent of the file sent, from 0 to 100 for a print that is done, with
// storage "local" and the file's path in the uploads folder. It is called
// off the send path, in order, one call at a time. Without it, nothing is
// called.
type PrintProgress interface {
	OnPrintProgress(storage, path string, progress int)
}

// SortPrintProgress is the sorting context of [PrintProgress].
const SortPrintProgress = "ProgressPlugin.on_print_progress"

type printProgressProxy struct{ c tentacle.RemoteCaller }

func (p printProgressProxy) OnPrintProgress(storage, path string, progress int) {
	_ = p.c.Call("OnPrintProgress", []any{storage, path, progress})
}
