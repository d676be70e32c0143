package serve_test

import (
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/demo"
	"github.com/tentacle-go/tentacle/internal/web"
	"github.com/tentacle-go/tentacle/server"
)

// pagePlugin is a Template plugin of files in memory.
type pagePlugin struct {
	tentacle.Base
	files    fstest.MapFS
	configs  []server.TemplateConfig
	vars     func() map[string]any
	defaults map[string]any
	panics   bool // in Templates
}

func (p *pagePlugin) TemplateFS() fs.FS { return p.files }
func (p *pagePlugin) Templates() []server.TemplateConfig {
	if p.panics {
		panic("no templates today")
	}
	return p.configs
}
func (p *pagePlugin) TemplateVars() map[string]any     { return p.vars() }
func (p *pagePlugin) SettingsDefaults() map[string]any { return p.defaults }

func pageDef(name string, p *pagePlugin) *tentacle.Definition {
	if p.vars == nil {
		p.vars = func() map[string]any { return nil }
	}
	return &tentacle.Definition{Name: name, Version: "1.0", Implementation: p}
}

func memFiles(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

// component returns the component with element id in list, failing the
// test when there is none.
func component(t *testing.T, list []web.Component, id string) web.Component {
	t.Helper()
	for _, c := range list {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no component %s in %+v", id, list)
	return web.Component{}
}

// TestTemplateFailures: each plugin's templates are a namespace of their
// own; a config that names an unknown type, a bad suffix or the same
// place twice, a TemplateVars that panics, and an output beyond 1 MiB are
// the plugin's own errors, counted as faults, and never break the page.
func TestTemplateFailures(t *testing.T) {
	big := strings.Repeat("x", 1<<20+1)
	h := start(t, setup{plugins: map[string]*tentacle.Definition{
		"alpha": pageDef("Alpha", &pagePlugin{
			files: memFiles("alpha_tab.html", `{{define "shared"}}alpha's{{end}}<b>{{template "shared"}}</b>`),
		}),
		"beta": pageDef("Beta", &pagePlugin{
			files: memFiles("beta_tab.html", `{{template "shared"}}`, "big.html", `{{.Vars.big}}`),
			configs: []server.TemplateConfig{
				{Type: server.TemplateTab},
				{Type: "dashboard"},
				{Type: server.TemplateSidebar, Suffix: "<x>"},
				{Type: server.TemplateTab, File: "big.html"},
				{Type: server.TemplateGeneric, File: "big.html"},
			},
			vars: func() map[string]any { return map[string]any{"big": big} },
		}),
		"gamma": pageDef("Gamma", &pagePlugin{
			files: memFiles("gamma_sidebar.html", `<i>gamma</i>`, "gamma_settings.html", `<form></form>`),
			vars:  func() map[string]any { panic("no vars today") },
		}),
		"delta": pageDef("Delta", &pagePlugin{defaults: map[string]any{"on": true}}),
		"demo":  demo.New(),
		"eta":   pageDef("Eta", &pagePlugin{panics: true}),
	}})
	ui := h.srv.UI(httptest.NewRequest("GET", "/", nil))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Api-Key", h.key)
	admin := h.srv.UI(req)

	if c := component(t, ui.Tab, "tab_plugin_alpha"); c.HTML != "<b>alpha's</b>" || c.Error != "" {
		t.Errorf("alpha's tab: %+v", c)
	}
	if c := component(t, admin.Tab, "tab_plugin_beta"); !strings.Contains(c.Error, `no such template "shared"`) {
		t.Errorf("beta's tab uses alpha's template: %+v", c)
	}
	if len(admin.Tab) != 2 {
		t.Errorf("tabs: %+v, want alpha's and beta's (its second tab is the same place again)", admin.Tab)
	}
	if c := component(t, admin.Generic, "generic_plugin_beta"); !strings.Contains(c.Error, "larger than 1048576 bytes") {
		t.Errorf("beta's big template: %+v", c)
	}
	if len(admin.Sidebar) != 1 {
		t.Errorf("sidebars: %+v, want gamma's (beta's has a bad suffix)", admin.Sidebar)
	}
	if c := component(t, admin.Sidebar, "sidebar_plugin_gamma"); c.HTML != "" || !strings.Contains(c.Error, "TemplateVars failed") {
		t.Errorf("gamma's sidebar, whose vars panic: %+v", c)
	}
	in, _ := h.srv.Manager().Info("beta")
	if in.Faults < 4 || !strings.Contains(in.LastFault, "beta") {
		t.Errorf("beta's faults: %d (%s), want the unknown type, the suffix, the second tab and the execution", in.Faults, in.LastFault)
	}
	if in, _ := h.srv.Manager().Info("gamma"); in.Faults == 0 || !strings.Contains(in.LastFault, "no vars today") {
		t.Errorf("gamma's faults: %d (%s)", in.Faults, in.LastFault)
	}

	if in, _ := h.srv.Manager().Info("eta"); in.Enabled || in.Error == nil || in.Error.Phase != "templates" || !strings.Contains(in.Error.Message, "no templates today") {
		t.Errorf("eta, whose Templates panics: %+v, want not enabled, with the panic", in)
	}

	forms := map[string]bool{}
	for _, f := range ui.SettingsForms {
		forms[f.Plugin] = true
	}
	if !forms["delta"] || !forms["demo"] || forms["gamma"] {
		t.Errorf("settings forms for %v: want delta's and demo's (no settings template) and not gamma's (it has one)", forms)
	}
	if c := component(t, ui.Settings, "settings_plugin_gamma"); c.Name != "Gamma" {
		t.Errorf("gamma's settings pane: %+v", c)
	}
}
