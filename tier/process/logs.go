package process

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// lastLines is how many lines of a plugin's output are kept for crash
// reports.
const lastLines = 20

// output receives a plugin process's stderr (and stdout after the
// handshake): JSON lines from the SDK's logger are logged with their level,
// message and attributes under the plugin's logger; other lines (a panic's
// trace, prints) are logged as they are. The last lines are kept.
type output struct {
	log     *slog.Logger
	mu      sync.Mutex
	partial []byte
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
		if msg, ok := rec["msg"].(string); ok {
			level := slog.LevelInfo
			if l, ok := rec["level"].(string); ok {
				_ = level.UnmarshalText([]byte(l))
			}
			r := slog.NewRecord(time.Now(), level, msg, 0)
			for k, v := range rec {
				if k != "msg" && k != "level" && k != "time" {
					r.AddAttrs(slog.Any(k, v))
				}
			}
			_ = o.log.Handler().Handle(context.Background(), r)
			return
		}
	}
	o.log.Info(s, "stream", "output")
}

// lines returns the last lines of output.
func (o *output) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.last...)
}
