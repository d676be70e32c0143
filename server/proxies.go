package server

import (
	"io/fs"
	"net/http"
	"reflect"

	"github.com/tentacle-go/tentacle"
)

// Mixins returns the server's mixins as the manager, lint and the process
// tier read them. None needs a restart: routes, assets, templates and
// event subscriptions are mounted and unmounted live. [Asset] and
// [Template] need browser clients to reload.
func Mixins() []tentacle.Mixin {
	return []tentacle.Mixin{
		{Type: reflect.TypeFor[Startup](), OctoPrint: "StartupPlugin.on_startup", Lifecycle: true,
			Proxy: func(c tentacle.RemoteCaller) any { return startupProxy{c} }},
		{Type: reflect.TypeFor[AfterStartup](), OctoPrint: "StartupPlugin.on_after_startup", Lifecycle: true,
			Proxy: func(c tentacle.RemoteCaller) any { return afterStartupProxy{c} }},
		{Type: reflect.TypeFor[Shutdown](), OctoPrint: "ShutdownPlugin", Lifecycle: true,
			Proxy: func(c tentacle.RemoteCaller) any { return shutdownProxy{c} }},
		{Type: reflect.TypeFor[EventHandler](), OctoPrint: "EventHandlerPlugin",
			Proxy: func(c tentacle.RemoteCaller) any { return eventHandlerProxy{c} }},
		{Type: reflect.TypeFor[SimpleAPI](), OctoPrint: "SimpleApiPlugin",
			Proxy: func(c tentacle.RemoteCaller) any { return simpleAPIProxy{c} }},
		{Type: reflect.TypeFor[APIGetter](), OctoPrint: "SimpleApiPlugin.on_api_get",
			Proxy: func(c tentacle.RemoteCaller) any { return apiGetterProxy{c} }},
		{Type: reflect.TypeFor[Blueprint](), OctoPrint: "BlueprintPlugin",
			Proxy: func(c tentacle.RemoteCaller) any { return blueprintProxy{c} }},
		{Type: reflect.TypeFor[BlueprintUnprotected](), OctoPrint: "BlueprintPlugin.is_blueprint_protected",
			Proxy: func(tentacle.RemoteCaller) any { return unprotectedMarker{} }},
		{Type: reflect.TypeFor[Asset](), OctoPrint: "AssetPlugin", ReloadNeeding: true,
			Proxy: func(c tentacle.RemoteCaller) any { return assetProxy{c} }},
		{Type: reflect.TypeFor[Template](), OctoPrint: "TemplatePlugin", ReloadNeeding: true,
			Proxy: func(c tentacle.RemoteCaller) any { return templateProxy{c} }},
		{Type: reflect.TypeFor[TemplateVars](), OctoPrint: "TemplatePlugin.get_template_vars",
			Proxy: func(c tentacle.RemoteCaller) any { return templateVarsProxy{c} }},
		{Type: reflect.TypeFor[SettingsRestricted](), OctoPrint: "SettingsPlugin.get_settings_restricted_paths",
			Proxy: func(c tentacle.RemoteCaller) any { return settingsRestrictedProxy{c} }},
		{Type: reflect.TypeFor[SettingsValidator](), OctoPrint: "SettingsPlugin.on_settings_save",
			Proxy: func(c tentacle.RemoteCaller) any { return settingsValidatorProxy{c} }},
		{Type: reflect.TypeFor[PrintProgress](), OctoPrint: "ProgressPlugin",
			Proxy: func(c tentacle.RemoteCaller) any { return printProgressProxy{c} }},
	}
}

// The proxies of the server's mixins, for plugins in processes of their
// own: each method calls the plugin's through the tentacle.RemoteCaller.

type startupProxy struct{ c tentacle.RemoteCaller }

func (p startupProxy) OnStartup(host string, port int) { _ = p.c.Call("OnStartup", []any{host, port}) }

type afterStartupProxy struct{ c tentacle.RemoteCaller }

func (p afterStartupProxy) OnAfterStartup() { _ = p.c.Call("OnAfterStartup", nil) }

type shutdownProxy struct{ c tentacle.RemoteCaller }

func (p shutdownProxy) OnShutdown() { _ = p.c.Call("OnShutdown", nil) }

type eventHandlerProxy struct{ c tentacle.RemoteCaller }

func (p eventHandlerProxy) OnEvent(event string, payload map[string]any) {
	_ = p.c.Call("OnEvent", []any{event, payload})
}

type simpleAPIProxy struct{ c tentacle.RemoteCaller }

func (p simpleAPIProxy) APICommands() (commands map[string][]string) {
	_ = p.c.Call("APICommands", nil, &commands)
	return commands
}

func (p simpleAPIProxy) OnAPICommand(command string, data map[string]any) (result any, err error) {
	err = p.c.Call("OnAPICommand", []any{command, data}, &result)
	return result, err
}

type apiGetterProxy struct{ c tentacle.RemoteCaller }

func (p apiGetterProxy) OnAPIGet(r *http.Request) (result any, err error) {
	err = p.c.Call("OnAPIGet", []any{r}, &result)
	return result, err
}

type blueprintProxy struct{ c tentacle.RemoteCaller }

func (p blueprintProxy) Handler() (h http.Handler) {
	_ = p.c.Call("Handler", nil, &h)
	return h
}

type unprotectedMarker struct{}

func (unprotectedMarker) BlueprintUnprotected() {}

type assetProxy struct{ c tentacle.RemoteCaller }

func (p assetProxy) AssetFS() (fsys fs.FS) {
	_ = p.c.Call("AssetFS", nil, &fsys)
	return fsys
}

func (p assetProxy) Assets() (assets map[string][]string) {
	_ = p.c.Call("Assets", nil, &assets)
	return assets
}

type templateProxy struct{ c tentacle.RemoteCaller }

func (p templateProxy) TemplateFS() (fsys fs.FS) {
	_ = p.c.Call("TemplateFS", nil, &fsys)
	return fsys
}

func (p templateProxy) Templates() (configs []TemplateConfig) {
	_ = p.c.Call("Templates", nil, &configs)
	return configs
}

type templateVarsProxy struct{ c tentacle.RemoteCaller }

func (p templateVarsProxy) TemplateVars() (vars map[string]any) {
	_ = p.c.Call("TemplateVars", nil, &vars)
	return vars
}

type settingsRestrictedProxy struct{ c tentacle.RemoteCaller }

func (p settingsRestrictedProxy) SettingsRestrictedPaths() (paths map[string][]string) {
	_ = p.c.Call("SettingsRestrictedPaths", nil, &paths)
	return paths
}

type settingsValidatorProxy struct{ c tentacle.RemoteCaller }

// ValidateSettings rebuilds the FieldErrors the plugin returned from the
// text they crossed as.
func (p settingsValidatorProxy) ValidateSettings(data map[string]any) error {
	err := p.c.Call("ValidateSettings", []any{data})
	if err != nil {
		if fe, ok := parseFieldErrors(err.Error()); ok {
			return fe
		}
	}
	return err
}
