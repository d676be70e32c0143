package server

import (
	"encoding/json"
	"io/fs"
	"sort"
	"strings"
)

// Template types: where on the web page a [TemplateConfig]'s template goes
// (OctoPrint's template types of the same names).
const (
	TemplateNavbar       = "navbar"       // an item of the navigation bar
	TemplateSidebar      = "sidebar"      // a panel of the sidebar
	TemplateTab          = "tab"          // a tab of the main area
	TemplateSettings     = "settings"     // a pane of the settings dialog
	TemplateUserSettings = "usersettings" // a pane of the user's own settings
	TemplateWizard       = "wizard"       // a step of the first-run wizard
	TemplateAbout        = "about"        // a pane of the about dialog
	TemplateGeneric      = "generic"      // anywhere the page puts generic content
)

// TemplateTypes returns the template types, in the order the web page
// shows them.
func TemplateTypes() []string {
	return []string{TemplateNavbar, TemplateSidebar, TemplateTab, TemplateSettings,
		TemplateUserSettings, TemplateWizard, TemplateAbout, TemplateGeneric}
}

// Template is implemented by plugins that bring their own part of the web
// page (TemplatePlugin): a navigation bar item, a sidebar panel, a tab, a
// settings pane, a wizard step. Their scripts and style sheets come with
// [Asset].
//
// TemplateFS returns the template files (embed.FS, os.DirFS, ...);
// Templates lists what goes where. Each file is a Go html/template,
// parsed once per enable in a namespace of the plugin's own (a file can
// {{define}} and {{template}} what the plugin's other listed files
// define, and nothing of other plugins') and executed for each page with
// [TemplateData] as "." — the output is escaped by html/template's rules.
// A template that does not parse, or fails or panics when executed, is
// counted as the plugin's fault and shown in its place as an error; it
// never breaks the page.
//
// As in OctoPrint, a file named "<id>_<type>.html" at the top of
// TemplateFS ("hello_tab.html") is included as that type's template
// when Templates lists none of that type: a plugin whose templates
// all have their default names can return nil from Templates.
//
// Enabling or disabling a Template plugin needs browser clients to reload
// (needs_reload). In a process plugin, the files are read through the
// plugin's process, as [Asset]'s are. Without it, the plugin puts nothing
// on the page but its assets, and a settings plugin gets a settings form
// made from its defaults; so does a Template plugin without a settings
// template.
type Template interface {
	TemplateFS() fs.FS
	Templates() []TemplateConfig
}

// TemplateVars is implemented by [Template] plugins that give their
// templates values of their own (get_template_vars): what TemplateVars
// returns is [TemplateData].Vars. It is called for each page, so it may
// return current values; keep it quick. Without it, Vars is empty.
type TemplateVars interface {
	TemplateVars() map[string]any
}

// TemplateConfig says where one template goes (an entry of
// get_template_configs).
type TemplateConfig struct {
	// Type is one of the template types (TemplateTab, ...).
	Type string `json:"type"`
	// Name is what the page shows for it (a tab's title, a settings
	// pane's name); default the plugin's name.
	Name string `json:"name,omitempty"`
	// File is the template's path in TemplateFS; default
	// "<id>_<type><suffix>.html".
	File string `json:"file,omitempty"`
	// Suffix tells apart several templates of one type of a plugin: it is
	// appended to the element id ("tab_plugin_hello_more") and to the
	// default file name. Letters, digits, "_" and "-".
	Suffix string `json:"suffix,omitempty"`
}

// TemplateData is what a plugin's templates are executed with ("." in the
// template), for each page.
type TemplateData struct {
	// ID, Name and Version are the plugin's.
	ID, Name, Version string
	// Type and ElementID are the template's type and the id of the element
	// the page puts it in ("tab_plugin_<id><suffix>").
	Type, ElementID string
	// BaseURL is where the plugin's routes are, "/plugin/<id>/"; its
	// static files ([Asset]) are under BaseURL + "static/".
	BaseURL string
	// Vars is what [TemplateVars] returned (empty without it).
	Vars map[string]any
	// Settings are the plugin's settings as the settings API shows them to
	// the viewer of the page: restricted values read as nil unless the
	// viewer is an admin, "never" ones always. Empty for a plugin without
	// settings.
	Settings map[string]any
	// Admin reports whether the viewer is an admin (has the API key).
	Admin bool
}

// FieldErrors is an error of a [SettingsValidator] that names the settings
// it refuses: dotted paths, relative to the plugin's settings, to what is
// wrong with each. The settings API then answers 400 with these errors
// by field, beside its error message; any other error refuses the request
// as a whole. It crosses a process boundary as its Error text, a JSON
// object, and is rebuilt on the other side.
type FieldErrors map[string]string

const fieldErrorsPrefix = "invalid settings: "

// Error returns "invalid settings: " and the errors as a JSON object.
func (e FieldErrors) Error() string {
	b, _ := json.Marshal(map[string]string(e))
	return fieldErrorsPrefix + string(b)
}

// Paths returns the paths of the errors, sorted.
func (e FieldErrors) Paths() []string {
	paths := make([]string, 0, len(e))
	for p := range e {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// parseFieldErrors rebuilds the FieldErrors whose Error text msg is.
func parseFieldErrors(msg string) (FieldErrors, bool) {
	rest, ok := strings.CutPrefix(msg, fieldErrorsPrefix)
	if !ok {
		return nil, false
	}
	var fe map[string]string
	if err := json.Unmarshal([]byte(rest), &fe); err != nil || len(fe) == 0 {
		return nil, false
	}
	return fe, true
}
