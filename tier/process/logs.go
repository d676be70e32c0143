package process

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// lastLines is how many lines of a plugin's output are kept for crash
// reports.
const lastLines = 20

// output receives a plugin process's stderr (and stdout after the
// handshake): JSON lines from the SDK's logger (slog's) and go-plugin's
// (hclog's) are logged with their level, message and attributes under the
// plugin's logger; other lines (prints) are logged as they are, at info, a
// panic's trace at error. The last lines are kept.
type output struct {
	log     *slog.Logger
	mu      sync.Mutex
	partial []byte
	inPanic bool // a panic's trace has begun
	last    []string
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimRight(o.partial[:i], "\r"))
		o.partial = o.partial[i+1:]
		if line != "" {
			o.line(line)
		}
	}
	return len(p), nil
}

// line handles one line; o.mu is held.
func (o *output) line(s string) {
	o.last = append(o.last, s)
	if len(o.last) > lastLines {
		o.last = o.last[len(o.last)-lastLines:]
	}
	var rec map[string]any
	if json.Unmarshal([]byte(s), &rec) == nil {
		// slog's JSON (the SDK's loggers) or hclog's (go-plugin's own).
		msgKey, levelKey, timeKey := "msg", "level", "time"
		if _, ok := rec["@message"]; ok {
			msgKey, levelKey, timeKey = "@message", "@level", "@timestamp"
		}
		if msg, ok := rec[msgKey].(string); ok {
			level := slog.LevelInfo
			if l, ok := rec[levelKey].(string); ok {
				level = parseLevel(l)
			}
			// The host's level decides, as for its own records: a handler
			// is called only for the levels it is enabled for.
			h := o.log.Handler()
			if !h.Enabled(context.Background(), level) {
				return
			}
			r := slog.NewRecord(time.Now(), level, msg, 0)
			for k, v := range rec {
				if k != msgKey && k != levelKey && k != timeKey {
					r.AddAttrs(slog.Any(k, v))
				}
			}
			_ = h.Handle(context.Background(), r)
			return
		}
	}
	// A Go panic's or fatal error's trace: its lines are errors, up to the
	// process's end.
	if strings.HasPrefix(s, "panic: ") || strings.HasPrefix(s, "fatal error: ") {
		o.inPanic = true
	}
	level := slog.LevelInfo
	if o.inPanic {
		level = slog.LevelError
	}
	o.log.Log(context.Background(), level, s, "stream", "output")
}

// parseLevel reads slog's and hclog's level names ("WARN", "warn",
// "trace", "INFO+2"); one it does not know is info.
func parseLevel(s string) slog.Level {
	var l slog.Level
	switch strings.ToLower(s) {
	case "trace":
		return slog.LevelDebug - 4
	case "warning":
		return slog.LevelWarn
	}
	if l.UnmarshalText([]byte(s)) != nil {
		return slog.LevelInfo
	}
	return l
}

// lines returns the last lines of output.
func (o *output) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.last...)
}
