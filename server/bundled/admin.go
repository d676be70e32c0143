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
	"github.com/tentacle-go/tentacle/repository"
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
	// Uninstall uninstalls a plugin as an operator does
	// ([manager.Manager.Uninstall]): its files are removed crash-safely.
	Uninstall(ctx context.Context, id string) (manager.Change, error)
	// Orphans returns what plugins that are no longer installed left.
	Orphans() []manager.Orphan
	// Cleanup removes what plugin id, which is not installed, left: its
	// settings, its data folder and its entry in plugins._disabled
	// ([manager.Manager.Cleanup]).
	Cleanup(id string) error
	// Install installs a plugin as the Plugin Manager does: one at a
	// time (a second one fails with install.ErrBusy), atomically, a new
	// plugin enabled unless it needs a restart. log receives progress
	// lines by stream ("message", "stdout", "stderr").
	Install(ctx context.Context, req InstallRequest, log func(stream, line string)) (Installed, error)
	// Repository returns the plugin repository (index, notices,
	// blocklist), or nil when the server has none.
	Repository() *repository.Repository
	// BaseDir returns the server's base directory.
	BaseDir() string
	// Executable returns the path of the server's executable.
	Executable() string
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

// InstallRequest says what to install, as OctoPrint's install command does (url,
// reinstall, force, from_repo), with Tentacle's path, plugin and sha256.
type InstallRequest struct {
	// URL is an http(s) URL of a plugin file, folder archive or package.
	URL string `json:"url,omitempty"`
	// Path is a local file or folder; Name the original name of an
	// uploaded file at Path.
	Path string `json:"path,omitempty"`
	Name string `json:"name,omitempty"`
	// RepositoryID installs the repository's entry of that identifier.
	RepositoryID string `json:"repository_id,omitempty"`
	// SHA256 is the file's expected digest (hex); taken from the
	// repository when the URL is an entry's archive.
	SHA256 string `json:"sha256,omitempty"`
	// Reinstall names the installed plugin the install replaces; the
	// installed plugin must have that identifier.
	Reinstall string `json:"reinstall,omitempty"`
	// Force replaces whatever is installed and skips the host's
	// compatibility and blocklist checks (never the safety checks).
	Force bool `json:"force,omitempty"`
	// FromRepo: the URL was taken from the repository (reported in the
	// install event).
	FromRepo bool `json:"from_repo,omitempty"`
}

// Source returns what the request installs from, and its type: "url" or
// "path", as OctoPrint reports them.
func (r InstallRequest) Source() (source, sourceType string) {
	switch {
	case r.URL != "":
		return r.URL, "url"
	case r.Path != "":
		return r.Path, "path"
	}
	return "repository:" + r.RepositoryID, "repository"
}

// Installed is what an install did.
type Installed struct {
	Plugin  string `json:"plugin"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Kind    string `json:"kind"` // "source" or "package"
	// Path is where the plugin was installed, relative to the base
	// directory.
	Path string `json:"path"`
	// Replaced: a plugin of that identifier was installed before.
	Replaced bool `json:"replaced"`
	// Change is the enable of a new plugin or the reload of a replaced
	// one: whether it runs now or after a restart.
	Change manager.Change `json:"change"`
}
