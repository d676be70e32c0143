package printer

import (
	"time"

	"github.com/tentacle-go/tentacle/internal/comm"
	"github.com/tentacle-go/tentacle/server"
)

// wasConnected reports whether the connection was operational before, and
// records that it is now.
func (s *Service) wasConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.connected
	s.connected = true
	return was
}

// stateChanged fires PrinterStateChanged with OctoPrint's state id.
func (s *Service) stateChanged(st comm.State) {
	s.mu.Lock()
	if st == comm.StateClosed {
		s.connected = false
	}
	changed := s.state != st
	s.state = st
	s.mu.Unlock()
	if changed {
		id, text := stateID(st)
		s.opts.Fire(server.EventPrinterStateChanged, map[string]any{"state_id": id, "state_string": text})
	}
}

// stateID returns OctoPrint's state id and text of a connection state.
func stateID(st comm.State) (id, text string) {
	switch st {
	case comm.StateConnecting:
		return "CONNECTING", "Connecting"
	case comm.StateOperational:
		return "OPERATIONAL", "Operational"
	case comm.StatePrinting:
		return "PRINTING", "Printing"
	case comm.StatePaused:
		return "PAUSED", "Paused"
	case comm.StateError:
		return "ERROR", "Error"
	}
	return "OFFLINE", "Offline"
}

// heaterNames maps the firmware's heater names to OctoPrint's.
func heaterName(fw string) string {
	switch fw {
	case "B":
		return "bed"
	case "C":
		return "chamber"
	}
	if len(fw) > 1 && fw[0] == 'T' {
		return "tool" + fw[1:]
	}
	return fw
}

// State implements [server.Printer].
func (s *Service) State() server.PrinterState {
	s.mu.Lock()
	c, job, src, started, errText, ended := s.conn, s.job, s.src, s.started, s.errText, s.ended
	port, baud := s.port, s.baudrate
	s.mu.Unlock()
	st := comm.StateClosed
	var ps server.PrinterState
	if c != nil {
		st = c.State()
		for k, t := range c.Temperatures() {
			if ps.Temperatures == nil {
				ps.Temperatures = map[string]server.Temperature{}
			}
			ps.Temperatures[heaterName(k)] = t
		}
		ps.Firmware = c.Firmware()
		ps.Port, ps.Baudrate = port, baud
	}
	_, text := stateID(st)
	if st == comm.StateClosed && errText != "" {
		text = "Offline after error"
	}
	f := &ps.State.Flags
	f.Operational = st == comm.StateOperational || st == comm.StatePrinting || st == comm.StatePaused
	f.Printing = st == comm.StatePrinting
	f.Paused = st == comm.StatePaused
	f.Error = st == comm.StateError
	f.ClosedOrError = st == comm.StateClosed || st == comm.StateError
	f.Ready = st == comm.StateOperational
	ps.State.Text = text
	if f.Error || f.ClosedOrError {
		ps.State.Error = errText
	}
	ps.Job = job
	switch {
	case src != nil:
		ps.Progress = progressOf(src, job, time.Since(started))
	case ended != nil:
		ps.Progress = *ended
	}
	return ps
}

// progressOf is the progress of a print of job from src after elapsed.
func progressOf(src *comm.FileSource, job server.JobInfo, elapsed time.Duration) server.Progress {
	p := server.Progress{Filepos: src.Pos(), Lines: src.Lines(), PrintTime: elapsed.Seconds()}
	if job.Size > 0 {
		p.Completion = float64(p.Filepos) * 100 / float64(job.Size)
	}
	if p.Completion > 0 {
		p.PrintTimeLeft = p.PrintTime*100/p.Completion - p.PrintTime
	}
	return p
}
