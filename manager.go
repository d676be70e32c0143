package tentacle

import (
	"errors"
	"fmt"

	"github.com/tentacle-go/tentacle/internal/wire"
)

// PluginManager is the plugin manager as a plugin sees it (_plugin_manager).
// Every method is safe to call from any goroutine, also during a plugin's own
// lifecycle callbacks; none of them changes a plugin's state.
type PluginManager interface {
	// Helpers returns the named helpers of the enabled plugin id, or all of
	// them when no name is given. It returns nil when id is unknown or not
	// enabled; names the plugin does not export are absent from the map.
	//
	// The values are the helpers as the plugin registered them. A plugin
	// whose code runs in another process has helpers whose Go types are
	// not known here: call them through [PluginManager.Helper], which
	// works the same for every tier.
	Helpers(id string, names ...string) map[string]any
	// Helper sets *fnPtr, a pointer to a func variable, to the helper name
	// of the enabled plugin id, as a function of *fnPtr's type, whichever
	// tier runs the plugin:
	//
	//	var current func(city string) (Reading, error)
	//	if err := pm.Helper("weather", "current", &current); err != nil { ... }
	//
	// The helper's arguments and results are converted when their types
	// differ but have the same shape (a struct of the calling plugin's own
	// that mirrors one of the helper's plugin), as they are across a
	// process boundary. It fails, wrapping [ErrNoHelper], when id is
	// unknown or not enabled or has no such helper, and when the helper is
	// not a function that fits *fnPtr's type. A helper that panics (or
	// whose process fails or overruns its deadline) does not panic in the
	// caller: it is counted as a fault of its plugin, and the function
	// returns zero values, and an error as its last result when its type
	// has one.
	Helper(id, name string, fnPtr any) error
	// Plugin returns the metadata of plugin id.
	Plugin(id string) (PluginInfo, bool)
	// Plugins returns the metadata of every known plugin, sorted by
	// identifier.
	Plugins() []PluginInfo
	// IsEnabled reports whether plugin id is enabled.
	IsEnabled(id string) bool
	// Handlers returns the handlers registered for a hook, in call order. The
	// slice is shared: do not modify it. Plugins use it to call the hooks
	// they define themselves (tentacle.plugin.<id>.<name>), getting each
	// handler as a function of their hook's type with [HookEntry.As].
	Handlers(hook string) []HookEntry
}

// PluginInfo is a plugin's metadata (OctoPrint's _plugin_info).
type PluginInfo struct {
	Identifier    string `json:"key"`
	Name          string `json:"name"`
	Version       string `json:"version"`
	Description   string `json:"description"`
	Author        string `json:"author"`
	URL           string `json:"url"`
	License       string `json:"license"`
	PrivacyPolicy string `json:"privacypolicy"`
	// Bundled is true for plugins compiled into the host.
	Bundled bool `json:"bundled"`
	// Origin is where the plugin was found: "bundled", "folder", "package",
	// or the name of a host's own source.
	Origin string `json:"origin"`
	// Tier is how its code runs: "builtin", "source" or "process".
	Tier string `json:"tier"`
}

// HookEntry is one registered handler of a hook.
type HookEntry struct {
	// Plugin is the identifier of the plugin that registered the handler.
	Plugin string
	// Order is the handler's effective order.
	Order int
	// Func is the handler as the plugin registered it; for a plugin whose
	// code runs in another process, a function whose Go type is not known
	// here. Call it through [HookEntry.As].
	Func any
	// Filter is the handler's filter ([HookHandler.Filter]), a value of
	// the type the hook declares for it, or nil.
	Filter any
}

// As sets *fnPtr, a pointer to a func variable, to the handler as a
// function of *fnPtr's type, whichever tier runs the handler's plugin:
//
//	for _, e := range pm.Handlers("tentacle.plugin.weather.notes") {
//		var notes func(city string, celsius float64) string
//		if err := e.As(&notes); err != nil {
//			continue // a handler of another type: skip it
//		}
//		...
//	}
//
// Arguments and results are converted as for [PluginManager.Helper]. A
// handler from [PluginManager.Handlers] that panics (or whose process
// fails or overruns its deadline) does not panic in the caller: the host
// recovers it where it is called and counts it as a fault of the
// handler's plugin, and the function returns zero values, and an error
// describing the failure as its last result when its type has one.
func (e HookEntry) As(fnPtr any) error {
	if err := wire.Assign(e.Func, fnPtr); err != nil {
		return fmt.Errorf("handler of plugin %q: %w", e.Plugin, err)
	}
	return nil
}

// ErrNoHelper is wrapped by the error of [PluginManager.Helper] when there
// is no such helper to call.
var ErrNoHelper = errors.New("no such helper")
