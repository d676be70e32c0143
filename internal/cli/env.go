package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// offline is the plugin system of a base directory, opened without a
// server: plugins are discovered and loaded, never enabled.
type offline struct {
	basedir string
	store   *settings.Store
	mgr     *manager.Manager
	// configErr is set when config.yaml does not parse: listing works on
	// defaults, changes are refused and the file is never written.
	configErr *settings.ParseError
	// repo is the plugin repository as the server would open it, from its
	// cache: its blocklist gates the plugins, installs resolve identifiers
	// in its index. nil when it cannot be opened (repoErr says why).
	repo    *repository.Repository
	repoErr error
}

// openOffline opens the base directory's configuration, plugin repository
// and plugins, as the server's start does: an install or uninstall that a
// crash interrupted is first finished or rolled back, and the repository's
// blocklist gates the plugins. It creates nothing: a base directory that
// does not exist yet is an empty one. A config.yaml that does not parse is
// not an error here; the caller decides (see warnConfig and mutable).
func (o *options) openOffline(ctx context.Context) (*offline, error) {
	dir, err := o.baseDir()
	if err != nil {
		return nil, err
	}
	env := &offline{basedir: dir}
	store, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
	if err != nil && !errors.As(err, &env.configErr) {
		return nil, err
	}
	env.store = store
	log := newLogger(o.stderr)
	if err := serve.RecoverInstalls(dir); err != nil {
		fmt.Fprintf(o.stderr, "tentacle: warning: an interrupted install could not be recovered: %v\n", err)
	}
	var blocked func(id, version string) (string, bool)
	if env.repo, env.repoErr = serve.OpenRepository(dir, store, slog.New(slog.DiscardHandler)); env.repoErr == nil {
		blocked = env.repo.Blocked
	}
	opts := manager.Options{
		Blocked:  blocked,
		Origins:  o.sources(dir, store, log),
		Mixins:   server.Mixins(),
		BaseDir:  dir,
		Settings: store,
		Logger:   log,
	}
	if env.configErr != nil {
		// Without a readable configuration its disabled list and blocklist
		// are unknown: only bundled plugins may run, as the server does.
		opts.SafeMode, opts.SafeModeReason = true, "config.yaml does not parse"
	}
	m, err := manager.New(opts)
	if err != nil {
		return nil, err
	}
	if err := m.Hooks().DeclareAll(server.Hooks()); err != nil {
		return nil, err
	}
	env.mgr = m
	// Per-plugin problems are recorded in the listing, which every command
	// shows; source errors are logged.
	_ = m.Load(ctx)
	return env, nil
}

// close unloads the plugins that were loaded to list them.
func (env *offline) close() {
	_ = env.mgr.Shutdown(context.Background())
	if env.repo != nil {
		env.repo.Stop()
	}
}

// warnConfig tells, on stderr, that config.yaml did not parse and defaults
// are shown instead, or which of its values settings cannot take and
// ignore. Read-only commands go on after it.
func (o *options) warnConfig(env *offline) {
	if env.configErr != nil {
		fmt.Fprintf(o.stderr, "tentacle: warning: %v (showing defaults; the file is left as it is)\n", env.configErr)
	}
	for _, iv := range env.store.Ignored() {
		where := env.store.Path()
		if iv.Line > 0 {
			where += ":" + strconv.Itoa(iv.Line)
		}
		fmt.Fprintf(o.stderr, "tentacle: warning: %s: %s is ignored: %s (its default applies; the next save of config.yaml leaves it out)\n", where, iv.Path, iv.Reason)
	}
}

// mutable returns an error naming plugin id and the phase when the
// configuration cannot be changed because config.yaml does not parse.
func (env *offline) mutable(id string, phase manager.Phase) error {
	if env.configErr == nil {
		return nil
	}
	return &manager.LifecycleError{
		Plugin: id,
		Phase:  phase,
		Err:    env.unparsable(),
	}
}

// sources are the plugin sources of the tentacle host, in precedence order,
// as the server would have them with the configuration st.
func (o *options) sources(dir string, st *settings.Store, log *slog.Logger) []tier.Origin {
	return append(serve.DefaultOrigins(dir, st, log), o.extra...)
}
