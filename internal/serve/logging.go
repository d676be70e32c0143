package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/settings"
)

// The log file's rotation, config.yaml's logging section: read at the
// start.
const (
	keyLogMaxSize    = "logging.maxSize"    // megabytes the file grows to before it is rotated
	keyLogMaxBackups = "logging.maxBackups" // rotated files kept; 0: all (as maxAge allows)
	keyLogMaxAge     = "logging.maxAge"     // days a rotated file is kept; 0: no limit
	keyLogCompress   = "logging.compress"   // rotated files are gzipped
)

// Defaults of the log file's rotation: at most about 10 MB of current log
// and ten compressed files of the earlier ones (about 1 MB each), none
// older than 30 days.
const (
	DefaultLogMaxSize    = 10
	DefaultLogMaxBackups = 10
	DefaultLogMaxAge     = 30
	DefaultLogCompress   = true
)

// logRotation is how the log file is rotated.
type logRotation struct {
	maxSize, maxBackups, maxAge int
	compress                    bool
}

// readLogRotation reads config.yaml's logging section (st may be nil: the
// defaults). A value of the wrong kind is ignored, and a warning says
// which.
func readLogRotation(st *settings.Store) (logRotation, []string) {
	rot := logRotation{maxSize: DefaultLogMaxSize, maxBackups: DefaultLogMaxBackups, maxAge: DefaultLogMaxAge, compress: DefaultLogCompress}
	if st == nil {
		return rot, nil
	}
	var warnings []string
	whole := func(key string, min int, into *int, what string) {
		switch v := st.Get(key).(type) {
		case nil:
		case int:
			if v >= min {
				*into = v
				return
			}
			warnings = append(warnings, fmt.Sprintf("%s is %d, not %s: the default %d applies", key, v, what, *into))
		default:
			warnings = append(warnings, fmt.Sprintf("%s is %v, not %s: the default %d applies", key, v, what, *into))
		}
	}
	whole(keyLogMaxSize, 1, &rot.maxSize, "a whole number of megabytes of at least 1")
	whole(keyLogMaxBackups, 0, &rot.maxBackups, "a whole number of files (0: all)")
	whole(keyLogMaxAge, 0, &rot.maxAge, "a whole number of days (0: no limit)")
	switch v := st.Get(keyLogCompress).(type) {
	case nil:
	case bool:
		rot.compress = v
	default:
		warnings = append(warnings, fmt.Sprintf("%s is %v, not true or false: the default %v applies", keyLogCompress, v, rot.compress))
	}
	return rot, warnings
}

// openLog sets up logging to the console and to <basedir>/logs/tentacle.log,
// which is rotated by size (config.yaml's logging section, read here, before
// the rest of the configuration, so that the messages of reading it are
// logged). Every logger logs at its name's level (s.levels): those an
// operator set in <basedir>/logging.yaml, else info. Every plugin logs
// through it with its own logger (logger=tentacle.plugins.<id>,
// plugin=<id>). The console gets what the loggers let through from
// Options.LogLevel up; the file all of it.
func (s *Server) openLog() error {
	var warnings []string
	// A configuration that does not parse is reported by openSettings.
	conf, _ := settings.Open(s.dir.config(), nil)
	rot, w := readLogRotation(conf)
	for _, w := range w {
		warnings = append(warnings, "config.yaml: "+w)
	}

	file := &logFile{out: &lumberjack.Logger{
		Filename: s.dir.logFile(), MaxSize: rot.maxSize, MaxBackups: rot.maxBackups,
		MaxAge: rot.maxAge, Compress: rot.compress,
	}}
	// Opened now, so that a log that cannot be written fails the start; a
	// file already past its size is rotated.
	if _, err := file.Write(nil); err != nil {
		return fmt.Errorf("server: open log: %w", err)
	}
	s.logFile = file

	s.levels = loglevel.NewRegistry(slog.LevelInfo)
	levelsPath := filepath.Join(s.dir.root, loglevel.FileName)
	if _, err := settings.RemoveStaleTemporaryFiles(levelsPath); err != nil {
		warnings = append(warnings, fmt.Sprintf("cannot remove the temporary files of saves of %s that did not complete: %v", loglevel.FileName, err))
	}
	st, err := loglevel.OpenFile(levelsPath)
	switch {
	case st == nil:
		warnings = append(warnings, fmt.Sprintf("%v: every logger logs at INFO", err))
		st = settings.New(nil)
	case err != nil:
		warnings = append(warnings, fmt.Sprintf("%s does not parse, so its levels do not apply and the logging API cannot change them: %v", loglevel.FileName, err))
	}
	s.levelsFile = st
	levels, w := loglevel.ReadLevels(st)
	warnings = append(warnings, w...)
	s.levels.Replace(levels)

	console := slog.NewTextHandler(s.opts.Console, &slog.HandlerOptions{Level: s.opts.LogLevel})
	toFile := slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug})
	s.log = slog.New(s.levels.Handler(fanout{console, toFile}, loglevel.Root))
	for _, w := range warnings {
		s.log.Warn(w)
	}
	return nil
}

// logFile is the rotated log file, which takes no writes once closed (a
// lumberjack.Logger opens its file again).
//
// lumberjack starts a goroutine that compresses and removes rotated files
// at the first write, and never ends it, Close included
// (natefinch/lumberjack#56): one idle goroutine per server run in a
// process.
type logFile struct {
	mu     sync.RWMutex
	out    *lumberjack.Logger
	closed bool
}

func (f *logFile) Write(p []byte) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return 0, os.ErrClosed
	}
	return f.out.Write(p)
}

// Close closes the file; later writes fail.
func (f *logFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	return f.out.Close()
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
