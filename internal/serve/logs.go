package serve

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"

	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// logs is the server's logs as its bundled plugins see them: a
// bundled.Logs.
type logs struct{ s *Server }

var _ bundled.Logs = logs{}

func (l logs) Dir() string    { return filepath.Dir(l.s.dir.logFile()) }
func (l logs) Active() string { return filepath.Base(l.s.dir.logFile()) }

func (l logs) DiskSpace() (free, total uint64) { return diskSpace(l.Dir()) }

func (l logs) Loggers() []string {
	names := append(l.s.levels.Names(), loglevel.Root+".plugins")
	for _, in := range l.s.mgr.List() {
		names = append(names, loglevel.PluginLogger(in.Key))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func (l logs) Levels() map[string]slog.Level { return l.s.levels.Levels() }

func (l logs) SetLevels(levels map[string]slog.Level) error { return l.s.setLevels(levels) }

func (l logs) Authorize(w http.ResponseWriter, r *http.Request) bool {
	return l.s.admitAdmin(w, r, "is not an admin: the logs and their levels need an admin user or the API key")
}

// setLevels makes levels the levels set: first in logging.yaml, then in
// every logger. Levels that do not change are not logged.
func (s *Server) setLevels(levels map[string]slog.Level) error {
	s.levelsMu.Lock()
	defer s.levelsMu.Unlock()
	old := s.levels.Levels()
	if err := loglevel.WriteLevels(s.levelsFile, levels); err != nil {
		return fmt.Errorf("server: set log levels: %w", err)
	}
	s.levels.Replace(levels)
	for _, name := range slices.Sorted(maps.Keys(old)) {
		if _, still := levels[name]; !still {
			s.log.Info("log level no longer set: the level above applies", "logger", name, "level", loglevel.Name(s.levels.Effective(name)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(levels)) {
		if l, had := old[name]; !had || l != levels[name] {
			s.log.Info("log level set", "logger", name, "level", loglevel.Name(levels[name]))
		}
	}
	return nil
}
