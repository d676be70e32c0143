package tentacle

// The generic mixins every host understands. A host adds its own (startup,
// settings API, HTTP routes, ...) as further interfaces. A plugin states what
// it implements with interface guards:
//
//	var (
//		_ tentacle.Initializer    = (*Hello)(nil)
//		_ tentacle.EnableListener = (*Hello)(nil)
//	)

// Initializer is implemented by plugins that need setting up after their
// properties are injected and before they are used (OctoPrint's initialize()).
// It runs on every enable. An error aborts the enable, which is rolled back.
// Without it, nothing is called.
type Initializer interface {
	Initialize() error
}

// EnableListener is implemented by plugins that want to know they have been
// enabled (on_plugin_enabled). The call comes after injection and Initialize,
// at startup and at runtime alike. Without it, nothing is called.
type EnableListener interface {
	OnPluginEnabled()
}

// DisableListener is implemented by plugins that want to know they are being
// disabled (on_plugin_disabled). The call comes after [Definition.Disable]
// and before the plugin's hooks, helpers and mixins are deregistered. Without
// it, nothing is called.
type DisableListener interface {
	OnPluginDisabled()
}

// UninstallListener is implemented by plugins that must undo changes outside
// their own settings and data before they are uninstalled
// (on_plugin_pending_uninstall). It is always called when an uninstall is
// requested, also when the uninstall completes only after a restart.
type UninstallListener interface {
	OnPluginPendingUninstall()
}

// Sortable is implemented by plugins that want a place in the order in which
// implementations of a mixin are called (SortablePlugin). SortingKey returns
// the key for a sorting context (such as "StartupPlugin.on_startup") and true,
// or false for no preference. Implementations sort by (key or
// [DefaultOrder], not bundled, identifier). Without it, the key is
// DefaultOrder.
type Sortable interface {
	SortingKey(context string) (int, bool)
}

// RestartNeeding marks a plugin that can only be enabled or disabled by a
// restart (RestartNeedingPlugin). Toggling it at runtime is recorded and
// reported as pending until the host restarts. Declare the marker method on
// the implementation itself, not through an embedded type:
//
//	func (*Hello) RestartNeedingPlugin() {}
type RestartNeeding interface {
	RestartNeedingPlugin()
}

// ReloadNeeding marks a plugin whose enable or disable takes effect at once
// but needs browser clients to reload (ReloadNeedingPlugin).
type ReloadNeeding interface {
	ReloadNeedingPlugin()
}

// Injectable is implemented by anything that accepts a plugin [Context]. [Base]
// implements it; a plugin that does not embed Base can implement it itself.
// The host calls SetContext on every enable, before any other mixin method.
type Injectable interface {
	SetContext(c *Context)
}
