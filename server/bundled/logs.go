package bundled

import (
	"log/slog"
	"net/http"

	"github.com/tentacle-go/tentacle"
)

// InjectLogs is the name under which the server injects its [Logs] into
// its bundled plugins, and only into them.
const InjectLogs = "plugin_logs"

// Logs is what the tentacle server lets its bundled plugins do with its
// logs (the Logging plugin is one): find the log files, and read and set
// the levels of its loggers while it runs. Its methods are safe to call
// from any goroutine.
type Logs interface {
	// Dir returns the folder of the log files, <basedir>/logs.
	Dir() string
	// Active returns the name, in Dir, of the file the server writes
	// (tentacle.log); the others are rotated files.
	Active() string
	// DiskSpace returns the free and total bytes of Dir's file system (0
	// when unknown).
	DiskSpace() (free, total uint64)
	// Loggers returns the names of the loggers, sorted: those in use,
	// every plugin's, those with a level set, and every name above them.
	Loggers() []string
	// Levels returns the levels set, by logger name.
	Levels() map[string]slog.Level
	// SetLevels makes levels (by canonical logger name, see package
	// loglevel) the levels set, in place of all those set before: it keeps
	// them in logging.yaml, then every logger of every tier logs at its
	// new level, plugin processes included, without a restart.
	SetLevels(levels map[string]slog.Level) error
	// Authorize reports whether r comes from an admin: it carries the API
	// key, or an admin user's session cookie. Otherwise it answers r as
	// the server answers a request that needs an admin (401, 403) and
	// returns false.
	Authorize(w http.ResponseWriter, r *http.Request) bool
}

// LogsOf returns the Logs injected into a bundled plugin (given its
// implementation, Base or Context), or nil for any other plugin and
// outside the server.
func LogsOf(p any) Logs {
	l, _ := tentacle.InjectedFrom(p, InjectLogs).(Logs)
	return l
}
