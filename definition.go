package tentacle

// Definition is everything a plugin declares: OctoPrint's control properties
// (__plugin_name__, __plugin_implementation__, __plugin_hooks__, ...) as one
// struct. Only metadata is required; every other field is optional.
//
// The host reads the fields it needs when it needs them: metadata at
// discovery, the implementation, hooks, helpers and overlay at enable. So a
// Load function may still fill in Implementation, Hooks or Helpers, as
// OctoPrint's __plugin_load__ does with globals.
type Definition struct {
	// Name is the human-readable name (__plugin_name__). Defaults to the
	// identifier.
	Name string
	// Version is the plugin's version (__plugin_version__), ideally semver.
	Version string
	// Description, Author, URL, License and PrivacyPolicy (a URL) are shown
	// by the Plugin Manager.
	Description   string
	Author        string
	URL           string
	License       string
	PrivacyPolicy string

	// Compat is a semver constraint on the host's API version, such as
	// ">=1.0, <2" (__plugin_pythoncompat__). A plugin whose constraint fails
	// is listed as incompatible and never runs. Empty means any version.
	// Bundled plugins are not checked.
	Compat string

	// Permissions lists what a plugin run from source needs beyond the
	// source tier's allow-list of the standard library: "unsafe" (memory
	// by address), "syscall" (system calls), "os/exec" (running programs;
	// it includes "process") and "process" (changing the server's process:
	// os.Exit, signals, the environment, the working directory, runtime
	// settings). They are given only when the operator also allows it
	// (plugins._allowUnsafe in the configuration); otherwise the plugin
	// fails to load, saying so. Ignored for compiled plugins.
	Permissions []string

	// Hidden hides a bundled plugin from the Plugin Manager and stops it from
	// being toggled. Ignored for other plugins.
	Hidden bool
	// DisablingDiscouraged, for a bundled plugin, is the reason shown to an
	// operator who tries to disable it. Ignored for other plugins.
	DisablingDiscouraged string

	// Implementation is the plugin's one implementation value
	// (__plugin_implementation__), usually a pointer to a struct that embeds
	// [Base]. The mixins it implements are the interfaces its method set
	// satisfies. Nil for a plugin that only has hooks or helpers.
	Implementation any

	// Hooks maps hook names to handlers (__plugin_hooks__).
	Hooks Hooks
	// Helpers are named functions other plugins can fetch while this plugin
	// is enabled (__plugin_helpers__).
	Helpers Helpers
	// SettingsOverlay is a nested map layered over the default settings of
	// the whole host while the plugin is enabled (__plugin_settings_overlay__).
	// A plugin with an overlay needs a restart to be enabled or disabled.
	SettingsOverlay map[string]any

	// Check is called before the plugin is loaded (__plugin_check__), at
	// startup and again when an operator enables a plugin that was not
	// loaded. Returning false keeps it from loading; it stays listed with
	// the reason.
	Check func() bool
	// Load is called when the plugin is loaded (__plugin_load__).
	Load func() error
	// Unload is called when the plugin is unloaded (__plugin_unload__).
	Unload func() error
	// Enable is called first when the plugin is enabled, before anything is
	// registered (__plugin_enable__). An error aborts the enable.
	Enable func() error
	// Disable is called first when the plugin is disabled (__plugin_disable__).
	Disable func() error
}

// Hooks maps a hook name to its handler. A value is either the handler itself
// (a func of the type the hook declares), which runs at the default order, or
// a [HookHandler] made by [Hook] carrying an explicit order: the equivalent of
// OctoPrint's callable or (callable, order).
type Hooks map[string]any

// Helpers maps a helper name to a function (or any value) that other plugins
// fetch with [PluginManager.Helpers].
type Helpers map[string]any

// DefaultOrder is the order of a hook handler registered without one, and the
// sorting key of an implementation that gives none.
const DefaultOrder = 1000

// HookHandler is a hook handler with an explicit order. Handlers run in
// ascending (order, plugin identifier). Unlike OctoPrint, order 0 is a real
// order and sorts before 1.
type HookHandler struct {
	Func  any
	Order int
	// Filter, when not nil, narrows the calls the handler gets, in the
	// terms of the hook (a value of the type the hook declares for it,
	// such as server.Filter): the host skips the handler for the calls
	// outside it without calling it. A hook that takes no filter refuses
	// a handler with one.
	Filter any
}

// Hook returns fn as a handler with the given order, for use as a [Hooks]
// value.
func Hook(fn any, order int) HookHandler {
	return HookHandler{Func: fn, Order: order}
}

// Filtered returns fn as a handler at the default order with a filter, for
// use as a [Hooks] value. (A HookHandler literal always has an explicit
// order: one that leaves Order out runs at order 0, first.)
func Filtered(fn any, filter any) HookHandler {
	return HookHandler{Func: fn, Order: DefaultOrder, Filter: filter}
}
