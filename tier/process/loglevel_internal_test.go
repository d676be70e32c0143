package process

import (
	"io"
	"log/slog"
	"testing"
)

// watching is a handler whose level is announced: a levelWatcher.
type watching struct{ slog.Handler }

func (watching) WatchLevel(func()) func() { return func() {} }

// TestDescribedLevel: a plugin process is told a level only by a host
// whose log handler announces its changes; it is the lowest level the
// handler takes.
func TestDescribedLevel(t *testing.T) {
	text := func(l slog.Level) slog.Handler {
		return slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: l})
	}
	for _, tc := range []struct {
		name string
		h    slog.Handler
		want string
	}{
		{"unannounced", text(slog.LevelInfo), ""},
		{"announced info", watching{text(slog.LevelInfo)}, "INFO"},
		{"announced debug", watching{text(slog.LevelDebug)}, "DEBUG"},
		{"announced trace", watching{text(slog.LevelDebug - 4)}, "DEBUG-4"},
		{"announced nothing", watching{slog.DiscardHandler}, "ERROR+8"},
	} {
		if got := describedLevel(slog.New(tc.h)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
