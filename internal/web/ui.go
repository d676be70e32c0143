package web

import "html/template"

// UI is what the enabled plugins bring to the web page, as one viewer
// sees it: their templates executed ([server.Template]), their scripts and
// style sheets ([server.Asset]), and a settings form for each settings
// plugin without a settings pane of its own. Every list is in page order,
// and empty rather than nil. The server makes it (see Options.UI); GET
// /api/ui answers it as JSON.
type UI struct {
	// Version changes whenever a plugin that brings anything to the page
	// (a Template or Asset plugin) is enabled, disabled or reloaded, and
	// with every start of the server: a page built from another version
	// must be reloaded to be current.
	Version string `json:"version"`
	// The templates by type (server.TemplateNavbar, ...).
	Navbar       []Component `json:"navbar"`
	Sidebar      []Component `json:"sidebar"`
	Tab          []Component `json:"tab"`
	Settings     []Component `json:"settings"`
	UserSettings []Component `json:"usersettings"`
	Wizard       []Component `json:"wizard"`
	About        []Component `json:"about"`
	Generic      []Component `json:"generic"`
	// JS and CSS are the URLs of the scripts and style sheets of every
	// enabled Asset plugin, by plugin identifier.
	JS  []string `json:"js"`
	CSS []string `json:"css"`
	// SettingsForms describe a form for each enabled settings plugin that
	// has no settings template, by plugin identifier.
	SettingsForms []SettingsForm `json:"settings_forms"`
}

// Component is one plugin template, executed for the viewer.
type Component struct {
	// Plugin is the plugin's identifier.
	Plugin string `json:"plugin"`
	// Type is the template type (server.TemplateTab, ...).
	Type string `json:"type"`
	// Name is what the page shows for it: the TemplateConfig's Name, by
	// default the plugin's name.
	Name string `json:"name"`
	// ID is the id of the element the page puts it in:
	// "<type>_plugin_<plugin><suffix>" ("tab_plugin_hello"), stable across
	// restarts.
	ID string `json:"id"`
	// HTML is the template's output, escaped by html/template's rules;
	// empty when Error is set.
	HTML template.HTML `json:"html"`
	// Error says why the template cannot be shown (it did not parse, its
	// execution failed), with the details for admins only; empty when it
	// can.
	Error string `json:"error,omitempty"`
}

// SettingsForm describes the form the page makes for a settings plugin
// without a settings template of its own, from its settings defaults.
type SettingsForm struct {
	// Plugin and Name are the plugin's identifier and name.
	Plugin string `json:"plugin"`
	Name   string `json:"name"`
	// ID is the id of the element the page puts it in, as a settings
	// template's would be: "settings_plugin_<id>".
	ID string `json:"id"`
	// Fields are the leaves of the plugin's settings defaults, by path.
	Fields []SettingsField `json:"fields"`
}

// Kinds of [SettingsField] values: the kind of the default, or of the
// current value when the default is null ("any" when both are).
const (
	FieldBool    = "bool"
	FieldInteger = "integer"
	FieldNumber  = "number"
	FieldString  = "string"
	FieldList    = "list"
	FieldObject  = "object" // an empty object by default
	FieldAny     = "any"
)

// SettingsField is one setting of a [SettingsForm].
type SettingsField struct {
	// Path is the setting's dotted path within the plugin's settings
	// ("serial.port").
	Path string `json:"path"`
	// Key is its dotted path from the root of POST /api/settings's body
	// ("plugins.<id>.serial.port"), and the key of its errors there.
	Key string `json:"key"`
	// Label is made from the last key of Path: "max_temp" and "maxTemp"
	// read "Max temp".
	Label string `json:"label"`
	// Type is one of FieldBool, FieldInteger, ...
	Type string `json:"type"`
	// Value is its current value as the settings API shows it to the
	// viewer, Default its default; both null when Hidden.
	Value   any `json:"value"`
	Default any `json:"default"`
	// Restricted is the setting's restriction level
	// (server.RestrictAdmin, server.RestrictNever), or empty.
	Restricted string `json:"restricted,omitempty"`
	// Hidden: the viewer may not see the value (it reads as null).
	Hidden bool `json:"hidden,omitempty"`
	// ReadOnly: it cannot be changed through the settings API
	// (server.RestrictNever), or the viewer may not change settings.
	ReadOnly bool `json:"readonly,omitempty"`
}
