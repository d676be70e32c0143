package sdk

import (
	"log/slog"
	"os"
)

// newLogger returns the plugin's logger: JSON lines on stderr, which the
// host reads and logs under the plugin's name with their level and
// attributes.
func newLogger(id string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
