// Package bundled is what the tentacle server offers its bundled plugins
// beyond package server: an [Admin] over the plugin system, which the
// Plugin Manager plugin uses. It is a package of its own so that plugins
// that are not bundled (and the plugin processes of the process tier) do
// not link the plugin manager through package server.
package bundled

import (
	"context"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
)

// InjectAdmin is the name under which the server injects an [Admin] into
// its bundled plugins, and only into them.
const InjectAdmin = "plugin_admin"

// Admin is what the tentacle server lets its bundled plugins do to the
// plugin system (the Plugin Manager plugin is one): list plugins and
// toggle them as an operator does, explain hooks, list what uninstalled
// plugins left behind, and tell the server's safe mode and quarantine.
// Its methods are safe to call from any goroutine; those that change
// something, called from one of the plugin's own lifecycle callbacks
// (OnStartup, Initialize, ...), fail with [manager.ErrReentrant] rather
// than wait for the operation under way, which waits for the callback.
type Admin interface {
	// Plugins returns every plugin's listing entry, sorted by identifier.
	Plugins() []manager.Info
	// Plugin returns plugin id's entry.
	Plugin(id string) (manager.Info, bool)
	// Enable and Disable toggle a plugin as an operator does
	// ([manager.Manager.Enable]).
	Enable(ctx context.Context, id string) (manager.Change, error)
	Disable(ctx context.Context, id string) (manager.Change, error)
	// HookNames returns the names of the hooks that are declared or have
	// handlers, sorted.
	HookNames() []string
	// ExplainHook returns the handlers of hook name in call order, with
	// where each order comes from; false when the hook is neither declared
	// nor handled.
	ExplainHook(name string) ([]hooks.Explanation, bool)
	// Orphans returns what plugins that are no longer installed left.
	Orphans() []manager.Orphan
	// SafeMode returns why the server runs in safe mode, or "".
	SafeMode() string
	// Quarantined returns the plugins kept from running this time, sorted
	// by identifier.
	Quarantined() []Quarantine
}

// Quarantine is a plugin the server keeps from running this time because
// its code was running when the server's last start did not complete.
type Quarantine struct {
	Plugin   string `json:"plugin"`
	Evidence string `json:"evidence"`
}

// AdminOf returns the Admin injected into a bundled plugin (given its
// implementation, Base or Context), or nil for any other plugin and
// outside the server.
func AdminOf(p any) Admin {
	a, _ := tentacle.InjectedFrom(p, InjectAdmin).(Admin)
	return a
}
