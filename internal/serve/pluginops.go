package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/install"
	"github.com/tentacle-go/tentacle/internal/pluginops"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier/source"
)

// The Plugin Manager's keys of the configuration, under
// plugins.pluginmanager: the URLs of the plugin repository's index, its
// notices and its blocklist ("" turns one off), and how long a fetched copy
// is used before it is fetched again, in minutes.
const (
	keyRepository   = "plugins.pluginmanager.repository"
	keyRepoTTL      = "plugins.pluginmanager.repository_ttl"
	keyNotices      = "plugins.pluginmanager.notices"
	keyNoticesTTL   = "plugins.pluginmanager.notices_ttl"
	keyBlocklist    = "plugins.pluginmanager.blocklist"
	keyBlocklistTTL = "plugins.pluginmanager.blocklist_ttl"
)

// RecoverInstalls brings a base directory back to a consistent state after
// an install or uninstall that a crash interrupted (see install.Recover).
// The server calls it at start, before any scan; the command line calls it
// before working on a base directory offline.
func RecoverInstalls(basedir string) error { return install.Recover(basedir) }

// OpenRepository returns the plugin repository of a base directory as its
// configuration (st) says: cached in <basedir>/data/pluginmanager, read
// from the cache without any network access. It logs to log (nil:
// slog.Default()).
func OpenRepository(basedir string, st *settings.Store, log *slog.Logger) (*repository.Repository, error) {
	minutes := func(key string, def int) time.Duration {
		if st == nil || !st.Has(key) {
			return time.Duration(def) * time.Minute
		}
		return time.Duration(st.GetInt(key)) * time.Minute
	}
	str := func(key string) string {
		if st == nil {
			return ""
		}
		return st.GetString(key)
	}
	return repository.New(repository.Options{
		CacheDir:     filepath.Join(basedir, "data", "pluginmanager"),
		IndexURL:     str(keyRepository),
		NoticesURL:   str(keyNotices),
		BlocklistURL: str(keyBlocklist),
		IndexTTL:     minutes(keyRepoTTL, 1440),
		NoticesTTL:   minutes(keyNoticesTTL, 360),
		BlocklistTTL: minutes(keyBlocklistTTL, 1440),
		APIVersion:   tentacle.APIVersion,
		Logger:       log,
	})
}

// InstallOptions are the installer's options for a base directory whose
// plugins m lists: the identifiers of bundled plugins are reserved, source
// plugins are linted against the server's mixins and hooks, and repo's
// blocklist (when there is one) refuses what it blocks.
func InstallOptions(basedir string, reserved func(id string) string, hooks source.LintOptions, repo *repository.Repository) install.Options {
	o := install.Options{BaseDir: basedir, Reserved: reserved, Lint: hooks}
	if repo != nil {
		o.Check = func(_ context.Context, s *install.Staged) error {
			if reason, blocked := repo.Blocked(s.ID, s.Version); blocked {
				return fmt.Errorf("%w: %s %s is on the blocklist: %s", install.ErrInvalid, s.ID, s.Version, reason)
			}
			return nil
		}
	}
	return o
}

// setupRepository recovers interrupted installs and opens the plugin
// repository, before the manager exists: the repository's blocklist gates
// discovery. setupOps follows once the manager exists.
func (s *Server) setupRepository() {
	if err := RecoverInstalls(s.dir.root); err != nil {
		s.log.Warn("an interrupted install could not be recovered", "error", err)
	}
	repo, err := OpenRepository(s.dir.root, s.store, s.log)
	if err != nil {
		s.log.Warn("plugin repository unavailable", "error", err)
		return
	}
	s.repo = repo
}

// setupOps makes the Plugin Manager's operations on the manager.
func (s *Server) setupOps() error {
	ops, err := NewOps(s.dir.root, s.mgr, s.repo)
	if err != nil {
		return fmt.Errorf("server: plugin installs: %w", err)
	}
	s.ops = ops
	return nil
}

// NewOps returns the Plugin Manager's operations on m, the manager of the
// plugins of basedir, configured as the server configures its own: the
// identifiers of bundled plugins (and the Plugin Manager's) are reserved,
// source plugins are linted against the server's mixins and m's hooks, and
// repo's blocklist (when repo is not nil) refuses what it blocks. The
// command line uses it on a base directory offline.
func NewOps(basedir string, m *manager.Manager, repo *repository.Repository) (*pluginops.Ops, error) {
	reserved := func(id string) string {
		if id == bundledManagerID {
			return "the Plugin Manager cannot be replaced"
		}
		if in, ok := m.Info(id); ok && in.Bundled {
			return "a bundled plugin has that identifier"
		}
		return ""
	}
	lint := source.LintOptions{Mixins: server.Mixins(), Hooks: m.Hooks(), APIVersion: tentacle.APIVersion}
	return pluginops.New(pluginops.Options{
		Manager:    m,
		Install:    InstallOptions(basedir, reserved, lint, repo),
		Repository: repo,
	})
}

// bundledManagerID is the bundled Plugin Manager's identifier.
const bundledManagerID = "pluginmanager"

func (a admin) Install(ctx context.Context, req bundled.InstallRequest, log func(stream, line string)) (bundled.Installed, error) {
	if a.s.ops == nil {
		return bundled.Installed{}, errors.New("installs are not available")
	}
	if a.s.stopping() {
		return bundled.Installed{}, errStopping{}
	}
	// An install started by a request outlives it, but not the server.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(a.s.life, cancel)
	defer stop()
	return a.s.ops.Install(ctx, req, pluginops.Report{Log: log})
}

func (a admin) Repository() *repository.Repository { return a.s.repo }
