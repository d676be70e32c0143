package printer

import (
	"errors"
	"os"
	"path"
	"time"

	"github.com/tentacle-go/tentacle/internal/comm"
	"github.com/tentacle-go/tentacle/server"
)

// SelectFile implements [server.Printer].
func (s *Service) SelectFile(p string, print bool) error {
	name, err := clean(p)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(s.opts.Uploads)
	if err != nil {
		return err
	}
	defer root.Close()
	info, err := root.Stat(name)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return errors.New("select " + name + ": a folder")
	}
	s.mu.Lock()
	if s.src != nil {
		s.mu.Unlock()
		return comm.ErrBusy
	}
	s.job = server.JobInfo{Name: path.Base(name), Path: name, Origin: "local", Size: info.Size(), Date: info.ModTime().Unix(), Display: path.Base(name)}
	s.ended = nil
	job := s.job
	s.mu.Unlock()
	s.opts.Fire(server.EventFileSelected, jobPayload(job))
	if print {
		return s.StartPrint()
	}
	return nil
}

// UnselectFile implements [server.Printer].
func (s *Service) UnselectFile() error {
	s.mu.Lock()
	if s.src != nil {
		s.mu.Unlock()
		return comm.ErrBusy
	}
	had := s.job.Path != ""
	s.job, s.ended = server.JobInfo{}, nil
	s.mu.Unlock()
	if had {
		s.opts.Fire(server.EventFileDeselected, nil)
	}
	return nil
}

// StartPrint implements [server.Printer].
func (s *Service) StartPrint() error {
	s.mu.Lock()
	c, job := s.conn, s.job
	switch {
	case c == nil:
		s.mu.Unlock()
		return server.ErrNotConnected
	case job.Path == "":
		s.mu.Unlock()
		return server.ErrNoFile
	case s.src != nil || c.State() != comm.StateOperational:
		s.mu.Unlock()
		return server.ErrNotReady
	}
	f, err := os.OpenInRoot(s.opts.Uploads, job.Path)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	src := comm.NewFileSource(f)
	s.src, s.file, s.started, s.ended = src, f, time.Now(), nil
	s.printGen++
	gen, done := s.printGen, s.done
	s.mu.Unlock()
	s.opts.Fire(server.EventPrintStarted, jobPayload(job))
	if err := c.Print(src); err != nil {
		s.mu.Lock()
		s.src, s.file = nil, nil
		s.mu.Unlock()
		_ = f.Close()
		return server.ErrNotReady
	}
	go s.watchProgress(gen, done, job)
	return nil
}

// PausePrint implements [server.Printer].
func (s *Service) PausePrint() error {
	return s.control((*comm.Conn).Pause, server.EventPrintPaused)
}

// ResumePrint implements [server.Printer].
func (s *Service) ResumePrint() error {
	return s.control((*comm.Conn).Resume, server.EventPrintResumed)
}

// CancelPrint implements [server.Printer].
func (s *Service) CancelPrint() error {
	if err := s.control((*comm.Conn).Cancel, server.EventPrintCancelling); err != nil {
		return err
	}
	s.endPrint(server.EventPrintCancelled, "cancelled")
	return nil
}

func (s *Service) control(op func(*comm.Conn) error, event string) error {
	s.mu.Lock()
	c, job := s.conn, s.job
	s.mu.Unlock()
	if c == nil {
		return server.ErrNotConnected
	}
	if err := op(c); err != nil {
		return server.ErrNotPrinting
	}
	s.opts.Fire(event, jobPayload(job))
	return nil
}

// endPrint ends the print with event; PrintCancelled is followed by
// PrintFailed with reason "cancelled", as OctoPrint does.
func (s *Service) endPrint(event, reason string) {
	s.mu.Lock()
	if s.src == nil {
		s.mu.Unlock()
		return
	}
	f, job := s.file, s.job
	s.lastTime = time.Since(s.started)
	// The progress stays where the print ended, as OctoPrint's does: a
	// print that is done shows all of its file sent and no time left.
	ended := progressOf(s.src, job, s.lastTime)
	if event == server.EventPrintDone {
		s.finished = s.printGen
		ended.Completion, ended.Filepos, ended.PrintTimeLeft = 100, job.Size, 0
	}
	s.ended = &ended
	s.src, s.file = nil, nil
	took := s.lastTime.Seconds()
	s.printGen++
	s.mu.Unlock()
	_ = f.Close()
	payload := jobPayload(job)
	payload["time"] = took
	if event == server.EventPrintFailed {
		payload["reason"] = reason
	}
	s.opts.Fire(event, payload)
	if event == server.EventPrintCancelled {
		failed := jobPayload(job)
		failed["time"], failed["reason"] = took, reason
		s.opts.Fire(server.EventPrintFailed, failed)
	}
}

// watchProgress reports each new whole percent of a print's progress.
func (s *Service) watchProgress(gen int, done <-chan struct{}, job server.JobInfo) {
	if s.opts.Progress == nil {
		return
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	last := -1
	report := func() bool {
		s.mu.Lock()
		current, src, finished := s.printGen == gen, s.src, s.finished == gen
		s.mu.Unlock()
		if !current || src == nil {
			if finished { // the print is done: the remaining percents, to 100
				for p := last + 1; p <= 100; p++ {
					s.opts.Progress("local", job.Path, p)
				}
			}
			return false
		}
		if pct := percent(src.Pos(), job.Size); pct > last && pct < 100 {
			for p := last + 1; p <= pct; p++ {
				s.opts.Progress("local", job.Path, p)
			}
			last = pct
		}
		return true
	}
	for report() {
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

func percent(pos, size int64) int {
	if size <= 0 {
		return 0
	}
	return int(pos * 100 / size)
}

func jobPayload(job server.JobInfo) map[string]any {
	return map[string]any{"name": job.Name, "path": job.Path, "origin": job.Origin, "size": job.Size, "owner": job.User}
}

// onEvent handles what the connection reports. It runs on the
// connection's goroutines, sometimes under its send lock: it only records
// and fires.
func (s *Service) onEvent(e comm.Event) {
	switch e.Kind {
	case comm.EventState:
		if e.State == comm.StateOperational && !s.wasConnected() {
			s.mu.Lock()
			port, baud := s.port, s.baudrate
			s.mu.Unlock()
			s.opts.Fire(server.EventConnected, map[string]any{"port": port, "baudrate": baud})
		}
		s.stateChanged(e.State)
	case comm.EventFirmware:
		s.opts.Fire(server.EventFirmwareData, map[string]any{"name": e.Firmware.Name, "data": e.Firmware.Data})
	case comm.EventPrintDone:
		s.endPrint(server.EventPrintDone, "")
	case comm.EventPrintFailed:
		s.endPrint(server.EventPrintFailed, "error")
	case comm.EventError:
		s.mu.Lock()
		s.errText = e.Err
		s.mu.Unlock()
		s.opts.Fire(server.EventError, map[string]any{"error": e.Err, "reason": "firmware"})
	}
}
