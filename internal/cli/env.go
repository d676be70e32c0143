package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/tentacle-go/tentacle/manager"
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
	// defaults, changes are refused.
	configErr error
}

// openOffline opens the base directory's configuration and plugins.
func (o *options) openOffline(ctx context.Context) (*offline, error) {
	dir, err := o.baseDir()
	if err != nil {
		return nil, err
	}
	store, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
	var perr *settings.ParseError
	switch {
	case errors.As(err, &perr):
		fmt.Fprintf(o.stderr, "warning: %v (using defaults; the file is left as it is)\n", err)
	case err != nil:
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == "logger") {
				return slog.Attr{}
			}
			return a
		},
	}))
	m, err := manager.New(manager.Options{
		Sources:  sources(),
		BaseDir:  dir,
		Settings: store,
		Logger:   log,
	})
	if err != nil {
		return nil, err
	}
	// Load errors are recorded per plugin and shown in listings.
	_ = m.Load(ctx)
	return &offline{basedir: dir, store: store, mgr: m, configErr: err}, nil
}

// sources are the plugin sources of the tentacle host, in precedence order.
func sources() []tier.Source {
	return []tier.Source{tier.Bundled()}
}
