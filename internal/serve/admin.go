package serve

import (
	"context"
	"os"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// admin is the server as its bundled plugins see it: a bundled.Admin.
type admin struct{ s *Server }

var _ bundled.Admin = admin{}

func (a admin) Plugins() []manager.Info { return a.s.mgr.List() }

func (a admin) Plugin(id string) (manager.Info, bool) { return a.s.mgr.Info(id) }

func (a admin) Enable(ctx context.Context, id string) (manager.Change, error) {
	return a.s.mgr.Enable(ctx, id)
}

func (a admin) Disable(ctx context.Context, id string) (manager.Change, error) {
	return a.s.mgr.Disable(ctx, id)
}

func (a admin) HookNames() []string { return a.s.mgr.Hooks().Names() }

func (a admin) ExplainHook(name string) ([]hooks.Explanation, bool) {
	reg := a.s.mgr.Hooks()
	if _, declared := reg.Spec(name); !declared && len(reg.Handlers(name)) == 0 {
		return nil, false
	}
	ex := reg.Explain(name)
	if ex == nil {
		ex = []hooks.Explanation{}
	}
	return ex, true
}

func (a admin) Uninstall(ctx context.Context, id string) (manager.Change, error) {
	return a.s.mgr.Uninstall(ctx, id)
}

func (a admin) Orphans() []manager.Orphan { return a.s.mgr.Orphans() }

func (a admin) Cleanup(id string) error { return a.s.mgr.Cleanup(id) }

func (a admin) BaseDir() string { return a.s.dir.root }

func (a admin) Executable() string {
	exe, _ := os.Executable()
	return exe
}

func (a admin) SafeMode() string { return a.s.safeMode }

func (a admin) Quarantined() []bundled.Quarantine { return a.s.quarantined() }
