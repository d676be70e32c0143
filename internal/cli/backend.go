package cli

import (
	"context"
	"fmt"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// backend is where the plugins commands act: a running server (remote) or
// the base directory itself (offline). Both give the same answers, so the
// commands print the same either way.
type backend interface {
	list(ctx context.Context) ([]manager.Info, error)
	info(ctx context.Context, id string) (manager.Info, bool, error)
	// toggle enables or disables id and returns the change and the plugin's
	// entry afterwards.
	toggle(ctx context.Context, id string, enable bool) (manager.Change, manager.Info, error)
	// hooks returns the handlers of every hook (name ""), or of one, in
	// call order with the reasons.
	hooks(ctx context.Context, name string) (map[string][]hooks.Explanation, error)

	// The Plugin Manager's operations (offline_manage.go,
	// remote_manage.go).

	// install installs a plugin as the Plugin Manager does, showing its
	// progress on p; its error names the plugin (once known) and the step.
	install(ctx context.Context, req bundled.InstallRequest, p *progress) (bundled.Installed, error)
	// uninstall uninstalls plugin id as the Plugin Manager does; its
	// settings and data are kept.
	uninstall(ctx context.Context, id string) (manager.Change, error)
	// orphans lists what plugins that are not installed left behind.
	orphans(ctx context.Context) ([]manager.Orphan, error)
	// cleanup removes what plugin id, which is not installed, left.
	cleanup(ctx context.Context, id string) error
	// cleanupAll removes what every plugin that is not installed left and
	// returns those cleaned up, with the first failure.
	cleanupAll(ctx context.Context) ([]string, error)
	// repository returns the plugin repository's index; refresh fetches
	// it (and the notices and blocklist) first.
	repository(ctx context.Context, refresh bool) (repository.Index, error)
	close()
}

// open returns the backend for a command: the server of the base
// directory when one answers at its configured address (unless --offline),
// else the base directory.
func (o *options) open(ctx context.Context) (backend, error) { return o.openWarn(ctx, true) }

// openWarn is open; warn says whether to warn about a config.yaml that does
// not parse (commands that refuse to change it say so in their error).
func (o *options) openWarn(ctx context.Context, warn bool) (backend, error) {
	if !o.offline {
		if r, err := o.dialServer(ctx); err != nil {
			return nil, err
		} else if r != nil {
			return r, nil
		}
	}
	env, err := o.openOffline(ctx)
	if err != nil {
		return nil, err
	}
	if warn {
		o.warnConfig(env)
	}
	return env, nil
}

// with opens the backend of a command (see openWarn), runs fn on it and
// closes it.
func (o *options) with(ctx context.Context, warn bool, fn func(backend) error) error {
	b, err := o.openWarn(ctx, warn)
	if err != nil {
		return err
	}
	defer b.close()
	return fn(b)
}

func (env *offline) list(context.Context) ([]manager.Info, error) { return env.mgr.List(), nil }

func (env *offline) info(_ context.Context, id string) (manager.Info, bool, error) {
	in, ok := env.mgr.Info(id)
	return in, ok, nil
}

func (env *offline) toggle(ctx context.Context, id string, enable bool) (manager.Change, manager.Info, error) {
	phase := manager.PhaseDisable
	if enable {
		phase = manager.PhaseEnable
	}
	if err := env.mutable(id, phase); err != nil {
		return manager.Change{}, manager.Info{}, err
	}
	var ch manager.Change
	var err error
	if enable {
		ch, err = env.mgr.Enable(ctx, id)
	} else {
		ch, err = env.mgr.Disable(ctx, id)
	}
	if err != nil {
		return ch, manager.Info{}, err
	}
	if enable && ch.Persisted {
		// Offline, nothing runs; load the plugin as the next start would,
		// so that a plugin that cannot load is reported now.
		_ = env.mgr.Load(ctx)
	}
	in, _ := env.mgr.Info(id)
	if enable && !in.Enabled {
		// Not even the next start would run it: say why, as an error
		// naming the phase that refuses it.
		p, msg := manager.PhaseGate, in.Reason
		if in.Error != nil {
			p, msg = in.Error.Phase, in.Error.Message
		}
		return ch, in, &cannotRun{change: ch, err: fmt.Errorf("plugin %q: %s: %s (it is enabled in config.yaml but cannot run)", id, p, msg)}
	}
	return ch, in, nil
}

// cannotRun is an enable that was recorded but will not make the plugin
// run.
type cannotRun struct {
	change manager.Change
	err    error
}

func (e *cannotRun) Error() string { return e.err.Error() }

// hooks explains, offline, the order the next start would give the
// handlers of the plugins it would enable: their declared orders with the
// configuration's overrides, through a registry like the server's (a
// handler the server would refuse, for a hook nobody declared, is left
// out, as the server leaves it out). A hook that is neither declared nor
// handled is unknown, an error, as the server's 404.
func (env *offline) hooks(_ context.Context, name string) (map[string][]hooks.Explanation, error) {
	reg := hooks.NewRegistry(hooks.Options{})
	reg.SetOrderOverrides(env.mgr.SortingOrders())
	// The server's hooks, untyped (the handlers here are stand-ins), with
	// their aliases: a handler under an alias is listed under the name.
	for _, spec := range env.mgr.Hooks().Specs() {
		spec.Type, spec.Filter = nil, nil
		if err := reg.Declare(spec); err != nil {
			return nil, err
		}
	}
	if spec, ok := reg.Spec(name); ok {
		name = spec.Name
	}
	for _, in := range env.mgr.List() {
		if !in.Enabled {
			continue
		}
		decls := env.mgr.DeclaredHooks(in.Key)
		refused := false
		for _, d := range decls {
			refused = refused || reg.Validate(d.Hook, hooks.Registration{Func: func() {}}) != nil
		}
		if refused {
			continue // the server fails the whole enable
		}
		for _, d := range decls {
			if spec, ok := reg.Spec(d.Hook); name != "" && d.Hook != name && (!ok || spec.Name != name) {
				continue
			}
			_ = reg.Add(in.Key, d.Hook, hooks.Registration{Func: func() {}, Order: d.Order, HasOrder: d.HasOrder})
		}
	}
	out := make(map[string][]hooks.Explanation)
	for _, n := range reg.Names() {
		if ex := reg.Explain(n); ex != nil {
			out[n] = ex
		}
	}
	if name != "" && out[name] == nil {
		// As the server answers: a hook is known when it is declared or
		// has handlers.
		if _, declared := env.mgr.Hooks().Spec(name); !declared {
			return nil, unknownHook(name)
		}
		out[name] = []hooks.Explanation{}
	}
	return out, nil
}
