package tentacle

import (
	"fmt"
	"reflect"
)

// Mixin declares one mixin: an interface a plugin's implementation may
// satisfy, which the host detects by type assertion and calls. Each mixin
// is declared once, beside its interface, and everything that deals with
// mixins reads that one declaration: the manager (detection, restart- and
// reload-needing plugins, listings), the source tier (detection inside the
// interpreter), `tentacle plugins lint`, and the process tier (which calls
// a plugin in another process through [Mixin.Proxy]). Package tentacle
// declares the mixins every host knows ([Mixins]); a host declares its own
// the same way and passes them to its manager:
//
//	var greeterMixin = tentacle.Mixin{
//		Type:  reflect.TypeFor[Greeter](),
//		Proxy: func(c tentacle.RemoteCaller) any { return greeterProxy{c} },
//	}
type Mixin struct {
	// Type is the mixin's interface type. Listings name the mixin by it,
	// qualified with its package's name ("tentacle.Initializer",
	// "server.Startup"): see [Mixin.Name].
	Type reflect.Type
	// OctoPrint names OctoPrint's counterpart, for documentation and for
	// `tentacle plugins info`: a mixin class ("StartupPlugin") or a method
	// every OctoPrint plugin has ("initialize()"). Empty when OctoPrint has
	// none.
	OctoPrint string
	// RestartNeeding: a plugin that implements the mixin needs a restart to
	// be enabled or disabled, as if it implemented [RestartNeeding].
	RestartNeeding bool
	// ReloadNeeding: toggling a plugin that implements the mixin needs
	// browser clients to reload, as if it implemented [ReloadNeeding].
	ReloadNeeding bool
	// Lifecycle: the host calls the mixin's methods as part of the plugin's
	// lifecycle (while enabling, disabling, migrating or uninstalling it,
	// or while the host starts or stops), never on a hot path. A plugin in
	// a process of its own that does not answer such a call in time is left
	// half-way, neither enabled nor disabled, so its process is killed and
	// restarted; another call that overruns only fails.
	Lifecycle bool
	// Proxy returns a value that implements the mixin by calling, through
	// c, the implementation of a plugin whose code runs in another process.
	// Each method calls c.Call with its own name, its arguments and
	// pointers to its results:
	//
	//	func (p greeterProxy) Greet(name string) string {
	//		var s string
	//		_ = p.c.Call("Greet", []any{name}, &s)
	//		return s
	//	}
	//
	// Nil means the mixin cannot reach such plugins: a process plugin that
	// implements it fails to load, with an error that names the mixin.
	Proxy func(c RemoteCaller) any
}

// Name returns the mixin's name as listings show it: its interface type
// qualified with its package's name, such as "tentacle.Initializer".
func (m Mixin) Name() string {
	if m.Type == nil {
		return "<nil>"
	}
	return m.Type.String()
}

// Check reports what is wrong with the declaration: a nil Type or one that
// is not an interface.
func (m Mixin) Check() error {
	if m.Type == nil {
		return fmt.Errorf("mixin with no type")
	}
	if m.Type.Kind() != reflect.Interface {
		return fmt.Errorf("mixin %s is a %s, not an interface type", m.Type, m.Type.Kind())
	}
	return nil
}

// RemoteCaller calls the methods of a value that lives in another process:
// a plugin's implementation, for a [Mixin.Proxy] in the host, or a host's
// injectable, for a plugin in a process of its own (see
// [Context.Injected]).
type RemoteCaller interface {
	// Call calls method with args and decodes its results (without a final
	// error) into results, which are pointers. It returns the error the
	// method returned; an error with an HTTPStatus() int method keeps its
	// status. Arguments and results cross as JSON; so do *http.Request
	// arguments, and http.Handler and fs.FS results, which stay in the
	// process that made them and are called there.
	//
	// A call that cannot be made or that fails in the other process (it is
	// gone, the call overran its deadline, the method panicked) is reported
	// as the side that calls expects: in the host, a mixin's proxy panics
	// with the failure, as the method would have panicked in process (the
	// host recovers it where it calls plugin code and counts it against the
	// plugin); in a plugin's process, a call of a host's injectable returns
	// the failure as its error, so that a plugin's own goroutine is not
	// brought down by a host that is going away.
	Call(method string, args []any, results ...any) error
}

// Mixins returns the mixins of package tentacle, which every host knows:
// [Initializer], [EnableListener], [DisableListener], [UninstallListener],
// [Sortable], [RestartNeeding], [ReloadNeeding], [SettingsPlugin] and
// [SettingsMigrator]. A manager detects them on every implementation
// besides the host's own.
func Mixins() []Mixin {
	return []Mixin{
		{Type: reflect.TypeOf((*Initializer)(nil)).Elem(), OctoPrint: "initialize()", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return initializerProxy{c} }},
		{Type: reflect.TypeOf((*EnableListener)(nil)).Elem(), OctoPrint: "on_plugin_enabled()", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return enableListenerProxy{c} }},
		{Type: reflect.TypeOf((*DisableListener)(nil)).Elem(), OctoPrint: "on_plugin_disabled()", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return disableListenerProxy{c} }},
		{Type: reflect.TypeOf((*UninstallListener)(nil)).Elem(), OctoPrint: "on_plugin_pending_uninstall()", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return uninstallListenerProxy{c} }},
		{Type: reflect.TypeOf((*Sortable)(nil)).Elem(), OctoPrint: "SortablePlugin",
			Proxy: func(c RemoteCaller) any { return sortableProxy{c} }},
		{Type: reflect.TypeOf((*RestartNeeding)(nil)).Elem(), OctoPrint: "RestartNeedingPlugin", RestartNeeding: true,
			Proxy: func(RemoteCaller) any { return restartMarker{} }},
		{Type: reflect.TypeOf((*ReloadNeeding)(nil)).Elem(), OctoPrint: "ReloadNeedingPlugin", ReloadNeeding: true,
			Proxy: func(RemoteCaller) any { return reloadMarker{} }},
		{Type: reflect.TypeOf((*SettingsPlugin)(nil)).Elem(), OctoPrint: "SettingsPlugin", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return settingsPluginProxy{c} }},
		{Type: reflect.TypeOf((*SettingsMigrator)(nil)).Elem(), OctoPrint: "SettingsPlugin.on_settings_migrate", Lifecycle: true,
			Proxy: func(c RemoteCaller) any { return settingsMigratorProxy{c} }},
	}
}

// The proxies of the generic mixins, for plugins in processes of their own.

type initializerProxy struct{ c RemoteCaller }

func (p initializerProxy) Initialize() error { return p.c.Call("Initialize", nil) }

type enableListenerProxy struct{ c RemoteCaller }

func (p enableListenerProxy) OnPluginEnabled() { _ = p.c.Call("OnPluginEnabled", nil) }

type disableListenerProxy struct{ c RemoteCaller }

func (p disableListenerProxy) OnPluginDisabled() { _ = p.c.Call("OnPluginDisabled", nil) }

type uninstallListenerProxy struct{ c RemoteCaller }

func (p uninstallListenerProxy) OnPluginPendingUninstall() {
	_ = p.c.Call("OnPluginPendingUninstall", nil)
}

type sortableProxy struct{ c RemoteCaller }

func (p sortableProxy) SortingKey(context string) (key int, ok bool) {
	_ = p.c.Call("SortingKey", []any{context}, &key, &ok)
	return key, ok
}

type restartMarker struct{}

func (restartMarker) RestartNeedingPlugin() {}

type reloadMarker struct{}

func (reloadMarker) ReloadNeedingPlugin() {}

type settingsPluginProxy struct{ c RemoteCaller }

func (p settingsPluginProxy) SettingsDefaults() (defaults map[string]any) {
	_ = p.c.Call("SettingsDefaults", nil, &defaults)
	return defaults
}

type settingsMigratorProxy struct{ c RemoteCaller }

func (p settingsMigratorProxy) SettingsVersion() (v int) {
	_ = p.c.Call("SettingsVersion", nil, &v)
	return v
}

func (p settingsMigratorProxy) OnSettingsMigrate(target, current int) error {
	return p.c.Call("OnSettingsMigrate", []any{target, current})
}
