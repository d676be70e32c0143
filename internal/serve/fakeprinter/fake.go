// Package fakeprinter is a printer for tests of the server's API, socket
// and command line: a small state machine (offline, operational, printing,
// paused) with the methods of the server's printer, that fires the
// printer's events and logs the commands it gets as the real one does. A
// print advances by Step bytes at each State call (0: only by Advance).
package fakeprinter

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/server"
)

// Port is the port the fake offers besides /dev/ttyFAKE.
const Port = "VIRTUAL"

// Printer is the fake.
type Printer struct {
	uploads string
	fire    func(string, map[string]any)

	mu       sync.Mutex
	step     int64
	state    string // "Offline", "Operational", "Printing", "Paused"
	port     string
	baudrate int
	job      server.JobInfo
	pos      int64
	started  time.Time
	temps    map[string]server.Temperature
	log      []string
	commands []string
	connErr  error
}

// New returns a fake, offline, that selects files of the uploads folder.
func New(uploads string, fire func(string, map[string]any)) *Printer {
	if fire == nil {
		fire = func(string, map[string]any) {}
	}
	return &Printer{uploads: uploads, fire: fire, state: "Offline"}
}

// SetStep sets how many bytes a print advances at each State call.
func (p *Printer) SetStep(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.step = n
}

// FailConnect makes the next Connect calls fail with err (nil: succeed).
func (p *Printer) FailConnect(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.connErr = err
}

// Sent returns the commands sent to the printer so far.
func (p *Printer) Sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.commands)
}

// Ports implements the server's printer.
func (p *Printer) Ports() []string { return []string{"/dev/ttyFAKE", Port} }

// Baudrates implements the server's printer.
func (p *Printer) Baudrates() []int { return []int{250000, 115200} }

// Log returns the log lines after sequence number after (1-based).
func (p *Printer) Log(after uint64) ([]string, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := uint64(len(p.log))
	if after > n {
		after = n
	}
	return slices.Clone(p.log[after:]), n
}

// SetTargets implements the server's printer.
func (p *Printer) SetTargets(targets map[string]float64) error {
	p.mu.Lock()
	if p.state == "Offline" {
		p.mu.Unlock()
		return server.ErrNotConnected
	}
	var cmds []string
	for _, h := range slices.Sorted(maps.Keys(targets)) {
		t := p.temps[h]
		t.Target = targets[h]
		p.temps[h] = t
		cmds = append(cmds, fmt.Sprintf("SETTARGET %s %g", h, targets[h]))
	}
	p.mu.Unlock()
	return p.Commands(cmds)
}

// Connect implements server.Printer.
func (p *Printer) Connect(port string, baudrate int) error {
	p.mu.Lock()
	if p.connErr != nil {
		err := p.connErr
		p.mu.Unlock()
		return fmt.Errorf("connect to %s: %w", port, err)
	}
	if port == "" {
		port = p.Ports()[0]
	}
	if baudrate == 0 {
		baudrate = 250000
	}
	p.port, p.baudrate, p.state = port, baudrate, "Operational"
	p.temps = map[string]server.Temperature{"tool0": {Actual: 21.5}, "bed": {Actual: 20.25}}
	p.log = append(p.log, "Recv: start")
	p.mu.Unlock()
	p.fire(server.EventConnected, map[string]any{"port": port, "baudrate": baudrate})
	p.fire(server.EventPrinterStateChanged, map[string]any{"state_id": "OPERATIONAL", "state_string": "Operational"})
	return nil
}

// Disconnect implements server.Printer.
func (p *Printer) Disconnect() error {
	p.mu.Lock()
	was := p.state
	printing := was == "Printing" || was == "Paused"
	p.state, p.port, p.baudrate, p.temps = "Offline", "", 0, nil
	job := p.job
	p.mu.Unlock()
	if was == "Offline" {
		return nil
	}
	if printing {
		p.fire(server.EventPrintFailed, payload(job, map[string]any{"reason": "error", "time": 0.0}))
	}
	p.fire(server.EventDisconnected, nil)
	return nil
}

// Commands implements server.Printer.
func (p *Printer) Commands(commands []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == "Offline" {
		return server.ErrNotConnected
	}
	for _, c := range commands {
		p.commands = append(p.commands, c)
		p.log = append(p.log, "Send: "+c, "Recv: ok")
	}
	return nil
}

// SelectFile implements server.Printer.
func (p *Printer) SelectFile(name string, print bool) error {
	if name == "" || !filepath.IsLocal(filepath.FromSlash(name)) {
		return fmt.Errorf("bad file path %q", name)
	}
	info, err := os.Stat(filepath.Join(p.uploads, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.state == "Printing" || p.state == "Paused" {
		p.mu.Unlock()
		return server.ErrNotReady
	}
	p.job = server.JobInfo{Name: path.Base(name), Path: name, Origin: "local", Size: info.Size(), Date: info.ModTime().Unix(), Display: path.Base(name)}
	job := p.job
	p.mu.Unlock()
	p.fire(server.EventFileSelected, payload(job, nil))
	if print {
		return p.StartPrint()
	}
	return nil
}

// UnselectFile implements server.Printer.
func (p *Printer) UnselectFile() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == "Printing" || p.state == "Paused" {
		return server.ErrNotReady
	}
	p.job = server.JobInfo{}
	return nil
}

// StartPrint implements server.Printer.
func (p *Printer) StartPrint() error {
	p.mu.Lock()
	switch {
	case p.state == "Offline":
		p.mu.Unlock()
		return server.ErrNotConnected
	case p.job.Path == "":
		p.mu.Unlock()
		return server.ErrNoFile
	case p.state != "Operational":
		p.mu.Unlock()
		return server.ErrNotReady
	}
	p.state, p.pos, p.started = "Printing", 0, time.Now()
	job := p.job
	p.mu.Unlock()
	p.fire(server.EventPrintStarted, payload(job, nil))
	return nil
}

// PausePrint implements server.Printer.
func (p *Printer) PausePrint() error {
	return p.move("Printing", "Paused", server.EventPrintPaused)
}

// ResumePrint implements server.Printer.
func (p *Printer) ResumePrint() error {
	return p.move("Paused", "Printing", server.EventPrintResumed)
}

// CancelPrint implements server.Printer.
func (p *Printer) CancelPrint() error {
	p.mu.Lock()
	if p.state != "Printing" && p.state != "Paused" {
		p.mu.Unlock()
		return server.ErrNotPrinting
	}
	p.state = "Operational"
	job := p.job
	p.mu.Unlock()
	p.fire(server.EventPrintCancelled, payload(job, map[string]any{"time": 0.0}))
	p.fire(server.EventPrintFailed, payload(job, map[string]any{"reason": "cancelled", "time": 0.0}))
	return nil
}

func (p *Printer) move(from, to, event string) error {
	p.mu.Lock()
	if p.state != from {
		p.mu.Unlock()
		if p.state == "Offline" {
			return server.ErrNotConnected
		}
		return server.ErrNotPrinting
	}
	p.state = to
	job := p.job
	p.mu.Unlock()
	p.fire(event, payload(job, nil))
	return nil
}

// Advance moves a running print on by n bytes; at the file's end the
// print is done.
func (p *Printer) Advance(n int64) {
	p.mu.Lock()
	if p.state != "Printing" {
		p.mu.Unlock()
		return
	}
	p.pos = min(p.pos+n, p.job.Size)
	done := p.pos >= p.job.Size
	job := p.job
	if done {
		p.state = "Operational"
	}
	took := time.Since(p.started).Seconds()
	p.mu.Unlock()
	if done {
		p.fire(server.EventPrintDone, payload(job, map[string]any{"time": took}))
	}
}

// State implements server.Printer.
func (p *Printer) State() server.PrinterState {
	p.mu.Lock()
	step := p.step
	p.mu.Unlock()
	if step > 0 {
		p.Advance(step)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := server.PrinterState{Job: p.job, Port: p.port, Baudrate: p.baudrate}
	if len(p.temps) > 0 {
		st.Temperatures = maps.Clone(p.temps)
	}
	st.State.Text = p.state
	f := &st.State.Flags
	f.Operational = p.state != "Offline"
	f.Printing = p.state == "Printing"
	f.Paused = p.state == "Paused"
	f.Ready = p.state == "Operational"
	f.ClosedOrError = p.state == "Offline"
	if f.Printing || f.Paused {
		st.Progress.Filepos = p.pos
		if p.job.Size > 0 {
			st.Progress.Completion = float64(p.pos) * 100 / float64(p.job.Size)
		}
		st.Progress.PrintTime = time.Since(p.started).Seconds()
	}
	return st
}

func payload(job server.JobInfo, extra map[string]any) map[string]any {
	m := map[string]any{"name": job.Name, "path": job.Path, "origin": job.Origin, "size": job.Size, "owner": job.User}
	maps.Copy(m, extra)
	return m
}
