package tentacle

// PluginManager is the plugin manager as a plugin sees it (_plugin_manager).
// Every method is safe to call from any goroutine, also during a plugin's own
// lifecycle callbacks; none of them changes a plugin's state.
type PluginManager interface {
	// Helpers returns the named helpers of the enabled plugin id, or all of
	// them when no name is given. It returns nil when id is unknown or not
	// enabled; names the plugin does not export are absent from the map.
	Helpers(id string, names ...string) map[string]any
	// Plugin returns the metadata of plugin id.
	Plugin(id string) (PluginInfo, bool)
	// Plugins returns the metadata of every known plugin, sorted by
	// identifier.
	Plugins() []PluginInfo
	// IsEnabled reports whether plugin id is enabled.
	IsEnabled(id string) bool
	// Handlers returns the handlers registered for a hook, in call order. The
	// slice is shared: do not modify it. Plugins use it to call the hooks
	// they define themselves (tentacle.plugin.<id>.<name>).
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
	// Func is the handler.
	Func any
}
