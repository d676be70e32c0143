package source

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// outputLog receives what a plugin (and the interpreter, for panics)
// writes to stdout and stderr: each line goes to the plugin's log, and the
// innermost file:line of the latest panic trace is kept.
type outputLog struct {
	log   *slog.Logger
	files []string

	mu      sync.Mutex
	partial []byte
	panicAt string
	lastAt  time.Time
}

func newOutputLog(log *slog.Logger, files []srcFile) *outputLog {
	if log == nil {
		log = slog.Default()
	}
	o := &outputLog{log: log}
	for _, f := range files {
		o.files = append(o.files, f.path)
	}
	return o
}

func (o *outputLog) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(p), nil
}

// line handles one complete line; o.mu is held.
func (o *outputLog) line(s string) {
	if i := strings.Index(s, ": panic"); i > 0 && o.ours(s[:i]) {
		// The interpreter prints a panic's frames innermost first, in one
		// burst: the first line of a burst is where it happened.
		if now := time.Now(); now.Sub(o.lastAt) > 50*time.Millisecond {
			o.panicAt = s[:i]
		}
		o.lastAt = time.Now()
		o.log.Debug("plugin panic trace", "frame", s)
		return
	}
	o.log.Info(s, "stream", "output")
}

// ours reports whether loc (file:line) is in one of the plugin's files.
func (o *outputLog) ours(loc string) bool {
	for _, f := range o.files {
		if strings.HasPrefix(loc, f+":") {
			return true
		}
	}
	return false
}

// lastPanic returns where the latest panic happened, or "".
func (o *outputLog) lastPanic() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.panicAt
}

// where returns " at file:line" for the latest panic, or "".
func (o *outputLog) where() string {
	if at := o.lastPanic(); at != "" {
		return " at " + at
	}
	return ""
}
