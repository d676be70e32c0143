package process

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
)

// levelWatcher is a log handler whose levels change while it runs (the
// tentacle server's, whose loggers' levels an operator sets at runtime):
// it calls changed after each change of its level.
type levelWatcher interface {
	WatchLevel(changed func()) (stop func())
}

// levelCallTimeout bounds a call that tells a plugin process its level.
const levelCallTimeout = 5 * time.Second

// describedLevel is the level a plugin process is told when it starts
// (pluginpb.DescribeRequest.log_level): its host level when log's handler
// says when that changes (a levelWatcher), else none, and the process
// sends every record, so that a handler whose level changes unannounced
// still gets the records it comes to take.
func describedLevel(log *slog.Logger) string {
	if _, ok := log.Handler().(levelWatcher); !ok {
		return ""
	}
	return hostLevel(log).String()
}

// hostLevel returns the lowest level of the standard ones log's handler
// takes records of, above error when it takes none: a plugin process need
// not send records below it.
func hostLevel(log *slog.Logger) slog.Level {
	h := log.Handler()
	for _, l := range []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelError + 4} {
		if h.Enabled(context.Background(), l) {
			return l
		}
	}
	return slog.LevelError + 8
}

// watchLevel has the plugin's process told its new level whenever the
// level of its logger on the host changes (when the logger's handler says
// so: a levelWatcher). The process is told its first level when it
// starts (pluginpb.DescribeRequest.log_level).
func (in *instance) watchLevel() {
	if w, ok := in.log.Handler().(levelWatcher); ok {
		in.watched.Store(true)
		in.stopWatch = w.WatchLevel(in.levelChanged)
	}
}

// unwatchLevel ends the watch of the level.
func (in *instance) unwatchLevel() {
	if in.stopWatch != nil {
		in.stopWatch()
	}
}

// levelChanged tells the process its level on a goroutine of its own: it
// is called by whoever changed the level, who must not wait for a plugin.
// Without a watch of the level the process was told none, and is not.
func (in *instance) levelChanged() {
	if !in.watched.Load() {
		return
	}
	in.levelSends.Add(1)
	go func() {
		defer in.levelSends.Done()
		in.sendLevel()
	}()
}

// sendLevel tells the process the level of its logger on the host, unless
// that is the level it was told last.
func (in *instance) sendLevel() {
	in.levelMu.Lock()
	defer in.levelMu.Unlock()
	level := hostLevel(in.log)
	in.mu.Lock()
	p, running := in.p, !in.closed && !in.crashed && in.killed == ""
	in.mu.Unlock()
	if p == nil || !running || level == in.sentLevel {
		return
	}
	resp, _, err := p.call(&pluginpb.CallRequest{Kind: pluginpb.CallRequest_LOG_LEVEL, Target: level.String()}, levelCallTimeout)
	if err == nil && resp.Failure != "" {
		err = errors.New(resp.Failure)
	}
	if err != nil {
		in.mu.Lock()
		gone := in.closed || in.crashed
		in.mu.Unlock()
		if !gone {
			in.log.Warn("cannot tell the plugin process its log level: it sends every record, and the host drops those below the level", "level", level.String(), "error", err)
		}
		return
	}
	in.sentLevel = level
}
