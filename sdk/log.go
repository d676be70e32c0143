package sdk

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// stderr is the process's standard error as the host started it, which
// the host reads to the end before it reports the process's exit. go-plugin
// points os.Stderr at a pipe it streams to the host over gRPC, whose last
// lines are lost when the process exits at once (a crash, os.Exit); the
// SDK writes its logs here instead, and gives os.Stderr back once serving.
var (
	stderr        = os.Stderr
	restoreStderr sync.Once
)

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

// giveBackStderr points os.Stderr at the process's standard error again,
// once go-plugin has redirected it, so that what plugin code writes there
// reaches the host in order and completely, even just before a crash.
func giveBackStderr() {
	restoreStderr.Do(func() { os.Stderr = stderr })
}
