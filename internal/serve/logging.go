package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
)

// openLog sets up logging to the console and to <basedir>/logs/tentacle.log.
// Every plugin logs through it with its own logger (logger=
// tentacle.plugins.<id>, plugin=<id>).
func (s *Server) openLog() error {
	f, err := os.OpenFile(s.dir.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("server: open log: %w", err)
	}
	s.logFile = f
	console := slog.NewTextHandler(s.opts.Console, &slog.HandlerOptions{Level: s.opts.LogLevel})
	file := slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})
	s.log = slog.New(fanout{console, file})
	return nil
}

// fanout passes every record to each handler that is enabled for it.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}
