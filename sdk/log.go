package sdk

import (
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

// newLogger returns a plugin's logger: JSON lines on stderr, which the host
// reads and logs under the plugin's name with their level and attributes.
func newLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// giveBackStderr points os.Stderr at the process's standard error again,
// once go-plugin has redirected it, so that what plugin code writes there
// reaches the host in order and completely, even just before a crash.
func giveBackStderr() {
	restoreStderr.Do(func() { os.Stderr = stderr })
}
