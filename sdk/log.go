package sdk

import (
	"fmt"
	"log/slog"
	"os"
)

// stderr is the process's standard error as the host started it, which
// the host reads to the end before it reports the process's exit. The SDK
// writes its logs here (go-plugin, in the earlier protocol, points
// os.Stderr elsewhere: see serve_grpc.go).
var stderr = os.Stderr

// logLevel is the level of the plugin's records that are sent to the
// host: the level of the plugin's logger there, which the host says when
// it starts the process and whenever an operator changes it, so that
// records the host would drop do not cross the process boundary. Until the
// host says, from debug up.
var logLevel = func() *slog.LevelVar {
	v := new(slog.LevelVar)
	v.Set(slog.LevelDebug)
	return v
}()

// setLogLevel takes the level the host says, as slog names levels
// ("DEBUG", "INFO", "WARN", "ERROR", "DEBUG-4").
func setLogLevel(name string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(name)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	logLevel.Set(l)
	return nil
}

// newLogger returns a plugin's logger: JSON lines on stderr, which the host
// reads and logs under the plugin's name with their level and attributes,
// from the level the host says up.
func newLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: logLevel}))
}
