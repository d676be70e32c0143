// Package uidemo is a plugin that brings its own part of the web page
// (server.Template), for the server's tests of every tier: compiled in
// (New, with its templates embedded), run in a process by
// testdata/uiprocess, and interpreted from a copy of this file with the
// folder templates/ next to it (this file is all the interpreter reads).
package uidemo

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// ID is the plugin's identifier.
const ID = "uidemo"

// UIDemo has templates (tab, sidebar, a navbar found by its file name, a
// wizard step that does not parse, an about pane that fails), template
// vars and settings with a restricted token and a validator.
type UIDemo struct {
	tentacle.Base
	// Files are the templates; nil: templates/ in the plugin's folder.
	Files fs.FS
}

var (
	_ server.Template           = (*UIDemo)(nil)
	_ server.TemplateVars       = (*UIDemo)(nil)
	_ server.SettingsRestricted = (*UIDemo)(nil)
	_ server.SettingsValidator  = (*UIDemo)(nil)
	_ tentacle.SettingsPlugin   = (*UIDemo)(nil)
)

func (u *UIDemo) TemplateFS() fs.FS {
	if u.Files != nil {
		return u.Files
	}
	return os.DirFS(filepath.Join(u.BaseFolder(), "templates"))
}

func (*UIDemo) Templates() []server.TemplateConfig {
	return []server.TemplateConfig{
		{Type: server.TemplateTab, Name: "Demo tab"},
		{Type: server.TemplateSidebar, Suffix: "_extra", File: "extra.html"},
		{Type: server.TemplateWizard, File: "broken.html"},
		{Type: server.TemplateAbout, File: "fails.html"},
	}
}

func (*UIDemo) TemplateVars() map[string]any { return map[string]any{"greeting": "hi <b>"} }

func (*UIDemo) SettingsDefaults() map[string]any {
	return map[string]any{"colour": "red", "token": "secret", "ratio": 0.5, "tags": []any{"a"},
		"limits": map[string]any{"max_temp": 250, "fastMode": true}}
}

func (*UIDemo) SettingsRestrictedPaths() map[string][]string {
	return map[string][]string{server.RestrictAdmin: {"token"}}
}

// ValidateSettings refuses the colour black, by field.
func (*UIDemo) ValidateSettings(data map[string]any) error {
	if data["colour"] == "black" {
		return server.FieldErrors{"colour": "is not a colour"}
	}
	return nil
}

// Plugin is the definition the source tier loads.
var Plugin = tentacle.Definition{Name: "UI Demo", Version: "1.2.3", Implementation: &UIDemo{}}
