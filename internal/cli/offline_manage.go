package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tentacle-go/tentacle/internal/pluginops"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// The Plugin Manager's operations offline: the same code as the server's
// (pluginops, configured by serve.NewOps, and the manager's uninstall and
// cleanup) on the manager of the base directory, which is never started.
// What the server does to running plugins therefore happens at its next
// start, and the changes say so.

func (env *offline) install(ctx context.Context, req bundled.InstallRequest, p *progress) (out bundled.Installed, err error) {
	if env.configErr != nil {
		source, _ := req.Source()
		return out, fmt.Errorf("install %s: %w", source, env.unparsable())
	}
	_, statErr := os.Stat(env.basedir)
	if err := env.makeBaseDir(); err != nil {
		return bundled.Installed{}, err
	}
	ops, err := serve.NewOps(env.basedir, env.mgr, env.repo)
	if err == nil {
		out, err = ops.Install(ctx, req, pluginops.Report{
			Log:      func(_, line string) { p.step(line) },
			Progress: p.download,
		})
	}
	if err != nil {
		if statErr != nil {
			os.Remove(env.basedir) // made for this install, and still empty
		}
		return out, err
	}
	out.Change = atNextStart(out.Change)
	return out, nil
}

// atNextStart turns what an install did to the manager offline into what
// it means for the server: nothing runs offline, so a new plugin (which
// the manager, not started, leaves for its start to enable) and a replaced
// one run at the next start. A pending change stays as it is.
func atNextStart(ch manager.Change) manager.Change {
	if ch.Pending || ch.Cancelled {
		return ch
	}
	ch.Applied, ch.NeedsReload, ch.Persisted = false, false, true
	return ch
}

func (env *offline) uninstall(ctx context.Context, id string) (manager.Change, error) {
	if err := env.mutable(id, manager.PhaseUninstall); err != nil {
		return manager.Change{}, err
	}
	return env.mgr.Uninstall(ctx, id)
}

func (env *offline) orphans(context.Context) ([]manager.Orphan, error) {
	return env.mgr.Orphans(), nil
}

func (env *offline) cleanup(_ context.Context, id string) error {
	if err := env.mutable(id, manager.PhaseUninstall); err != nil {
		return err
	}
	return env.mgr.Cleanup(id)
}

// cleanupAll cleans up after every orphan as the Plugin Manager's
// cleanup_all does: one failure does not stop the others.
func (env *offline) cleanupAll(ctx context.Context) ([]string, error) {
	done := []string{}
	var first error
	for _, o := range env.mgr.Orphans() {
		if err := env.cleanup(ctx, o.Plugin); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		done = append(done, o.Plugin)
	}
	return done, first
}

// repository returns the index as the server's repository has it: from
// the cache in the base directory, fetched first with refresh. A
// repository that cannot be opened (a URL in config.yaml that is not http
// or https) is an unavailable index saying why.
func (env *offline) repository(ctx context.Context, refresh bool) (repository.Index, error) {
	if env.repo == nil {
		return repository.Index{Plugins: []repository.Entry{}, Error: env.repoErr.Error()}, nil
	}
	if refresh {
		if err := env.makeBaseDir(); err != nil {
			return repository.Index{}, err
		}
		// A failure shows in the index's error, as through the server.
		if err := env.repo.Refresh(ctx, true); errors.Is(err, context.Canceled) {
			return repository.Index{}, err
		}
	}
	return env.repo.Index(), nil
}

// makeBaseDir creates the base directory, as the first save of
// config.yaml does, before a command writes into it: only its owner may
// look in, as it holds the API key.
func (env *offline) makeBaseDir() error {
	if err := os.MkdirAll(env.basedir, 0o700); err != nil {
		return fmt.Errorf("base directory: %w", err)
	}
	return nil
}

// unparsable is the error of a change refused because config.yaml does
// not parse.
func (env *offline) unparsable() error {
	return fmt.Errorf("config.yaml is left unchanged because it does not parse: %w (fix the file and try again)", env.configErr)
}
