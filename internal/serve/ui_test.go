package serve_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/uidemo"
	"github.com/tentacle-go/tentacle/internal/web"
	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
	"github.com/tentacle-go/tentacle/server"
)

// uiTiers starts a server with the plugin uidemo in each tier: compiled
// in, interpreted from <basedir>/plugins/uidemo, and run in a process from
// <basedir>/packages/uidemo.
var uiTiers = []struct {
	name  string
	setup func(t *testing.T) setup
}{
	{"builtin", func(t *testing.T) setup {
		return setup{plugins: map[string]*tentacle.Definition{uidemo.ID: uidemo.New()}}
	}},
	{"source", func(t *testing.T) setup {
		dir := t.TempDir()
		folder := filepath.Join(dir, "plugins", uidemo.ID)
		if err := os.MkdirAll(filepath.Join(folder, "templates"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(folder, "uidemo.go"), string(readFile(t, filepath.Join("testdata", "plugins", "uidemo", "uidemo.go"))))
		copyTemplates(t, filepath.Join(folder, "templates"))
		return setup{dir: dir, plugins: map[string]*tentacle.Definition{}, folder: true}
	}},
	{"process", func(t *testing.T) setup {
		exe := filepath.Join(t.TempDir(), "uiprocess")
		if out, err := exec.Command("go", "build", "-o", exe, "./testdata/uiprocess").CombinedOutput(); err != nil {
			t.Fatalf("go build ./testdata/uiprocess: %v\n%s", err, out)
		}
		dir := t.TempDir()
		installPackage(t, dir, uidemo.ID, "UI Demo", exe, "1.2.3")
		return setup{dir: dir, plugins: map[string]*tentacle.Definition{}, packages: true}
	}},
}

// copyTemplates copies uidemo's templates into dir.
func copyTemplates(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join("testdata", "plugins", "uidemo", "templates")
	des, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		writeFile(t, filepath.Join(dir, de.Name()), string(readFile(t, filepath.Join(src, de.Name()))))
	}
}

// getUI answers GET /api/ui with key ("" for none).
func (h *harness) getUI(key string) web.UI {
	h.t.Helper()
	r := h.do("GET", "/api/ui", key, nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("GET /api/ui: %d %s", r.status, r.body)
	}
	var ui web.UI
	if err := json.Unmarshal(r.body, &ui); err != nil {
		h.t.Fatalf("GET /api/ui: %v: %s", err, r.body)
	}
	return ui
}

// only returns the one component of plugin id in list.
func only(t *testing.T, what string, list []web.Component) web.Component {
	t.Helper()
	var out []web.Component
	for _, c := range list {
		if c.Plugin == uidemo.ID {
			out = append(out, c)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%s: %d components of %s, want 1: %+v", what, len(out), uidemo.ID, list)
	}
	return out[0]
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", what, got, w)
		}
	}
}

// TestTemplateTiers: a Template plugin's templates are parsed in a
// namespace of its own and executed with its data, vars and settings as
// the viewer may see them, in every tier; a template that does not parse
// or fails is shown as an error (with details for admins) and counted as
// the plugin's fault; the plugin gets a generated settings form whose
// errors come back by field; disabling it needs a reload and changes the
// UI's version.
func TestTemplateTiers(t *testing.T) {
	for _, tc := range uiTiers {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, tc.setup(t))
			if in, ok := h.srv.Manager().Info(uidemo.ID); !ok || !in.Enabled {
				t.Fatalf("uidemo is not enabled: %+v", in)
			}
			ui := h.getUI("")
			tab := only(t, "tab", ui.Tab)
			if tab.ID != "tab_plugin_uidemo" || tab.Name != "Demo tab" || tab.Error != "" {
				t.Errorf("tab = %+v", tab)
			}
			contains(t, "tab", string(tab.HTML), `hi &lt;b&gt; from UI Demo 1.2.3`, `<p class="colour">red</p>`,
				`<p class="token"></p>`, `href="/plugin/uidemo/static/demo.js"`, `<span class="shared">tab_plugin_uidemo</span>`)
			side := only(t, "sidebar", ui.Sidebar)
			if side.ID != "sidebar_plugin_uidemo_extra" || side.Name != "UI Demo" {
				t.Errorf("sidebar = %+v", side)
			}
			contains(t, "sidebar", string(side.HTML), `<div class="extra">sidebar</div>`)
			nav := only(t, "navbar (by its file name)", ui.Navbar)
			contains(t, "navbar", string(nav.HTML), `<li class="nav">uidemo</li>`)
			for _, c := range []web.Component{only(t, "wizard", ui.Wizard), only(t, "about", ui.About)} {
				if c.HTML != "" || c.Error != "the plugin's template cannot be shown" {
					t.Errorf("%s for a viewer without the key: %+v", c.Type, c)
				}
			}

			admin := h.getUI(h.key)
			contains(t, "tab as admin", string(only(t, "tab", admin.Tab).HTML), `<p class="token">secret</p>`)
			contains(t, "wizard as admin", only(t, "wizard", admin.Wizard).Error, "parse: template: broken.html:1:")
			contains(t, "about as admin", only(t, "about", admin.About).Error, "execute: template: fails.html:1:")
			if in, _ := h.srv.Manager().Info(uidemo.ID); in.Faults != 2 {
				t.Errorf("faults = %d, want 2 (the parse, and one execution however often it fails): %s", in.Faults, in.LastFault)
			}

			page := h.do("GET", "/", h.key, nil)
			contains(t, "the page", string(page.body), `id="tab_plugin_uidemo"`, `hi &lt;b&gt; from UI Demo 1.2.3`,
				`id="settings_plugin_uidemo"`, `data-ui-version="`+ui.Version+`"`)

			checkForm(t, h)

			r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "disable", "plugin": uidemo.ID})
			var res pluginmanager.Result
			if err := json.Unmarshal(r.body, &res); err != nil || !res.Result || res.Change == nil {
				t.Fatalf("disable: %d %s", r.status, r.body)
			}
			if ch := *res.Change; !res.NeedsRefresh || res.NeedsRestart || !ch.NeedsReload || ch.NeedsRestart {
				t.Errorf("disable: %s, want needs_refresh (needs_reload) and no restart", r.body)
			}
			after := h.getUI("")
			var v struct{ Version string }
			h.getJSON("/api/ui/version", &v)
			if v.Version != after.Version || h.srv.UIVersion() != after.Version {
				t.Errorf("GET /api/ui/version: %s, UIVersion %s, want %s", v.Version, h.srv.UIVersion(), after.Version)
			}
			if after.Version == ui.Version || len(after.Tab) != 0 || len(after.SettingsForms) != 0 {
				t.Errorf("after the disable: version %s (was %s), tabs %+v, forms %+v", after.Version, ui.Version, after.Tab, after.SettingsForms)
			}
			if ch := toggle(t, h, "enable", uidemo.ID); !ch.NeedsReload {
				t.Errorf("enable: %+v, want needs_reload", ch)
			}
			if again := h.getUI(""); again.Version == after.Version || len(again.Tab) != 1 {
				t.Errorf("after the enable: version %s (was %s), tabs %+v", again.Version, after.Version, again.Tab)
			}
		})
	}
}

// checkForm checks uidemo's generated settings form and its errors by
// field.
func checkForm(t *testing.T, h *harness) {
	t.Helper()
	var form *web.SettingsForm
	ui := h.getUI("")
	for i := range ui.SettingsForms {
		if ui.SettingsForms[i].Plugin == uidemo.ID {
			form = &ui.SettingsForms[i]
		}
	}
	if form == nil {
		t.Fatalf("no settings form for uidemo: %+v", ui.SettingsForms)
	}
	want := []web.SettingsField{
		{Path: "colour", Key: "plugins.uidemo.colour", Label: "Colour", Type: web.FieldString, Value: "red", Default: "red", ReadOnly: true},
		{Path: "limits.fastMode", Key: "plugins.uidemo.limits.fastMode", Label: "Fast mode", Type: web.FieldBool, Value: true, Default: true, ReadOnly: true},
		{Path: "limits.max_temp", Key: "plugins.uidemo.limits.max_temp", Label: "Max temp", Type: web.FieldInteger, Value: 250.0, Default: 250.0, ReadOnly: true},
		{Path: "ratio", Key: "plugins.uidemo.ratio", Label: "Ratio", Type: web.FieldNumber, Value: 0.5, Default: 0.5, ReadOnly: true},
		{Path: "tags", Key: "plugins.uidemo.tags", Label: "Tags", Type: web.FieldList, Value: []any{"a"}, Default: []any{"a"}, ReadOnly: true},
		{Path: "token", Key: "plugins.uidemo.token", Label: "Token", Type: web.FieldString,
			Restricted: server.RestrictAdmin, Hidden: true, ReadOnly: true},
	}
	if g, w := string(mustJSON(t, form.Fields)), string(mustJSON(t, want)); g != w {
		t.Errorf("form fields:\n got %s\nwant %s", g, w)
	}
	if form.ID != "settings_plugin_uidemo" || form.Name != "UI Demo" {
		t.Errorf("form = %s %s", form.ID, form.Name)
	}
	for _, f := range h.getUI(h.key).SettingsForms {
		if f.Plugin == uidemo.ID && (f.Fields[5].Value != "secret" || f.Fields[5].Default != "secret" || f.Fields[5].Hidden || f.Fields[0].ReadOnly) {
			t.Errorf("form as admin: %+v", f.Fields)
		}
	}

	for _, tc := range []struct {
		change map[string]any
		fields map[string]string
	}{
		{map[string]any{"colour": "black"}, map[string]string{"plugins.uidemo.colour": "is not a colour"}},
		{map[string]any{"colour": 3, "limits": map[string]any{"max_temp": "hot", "fastMode": true}},
			map[string]string{"plugins.uidemo.colour": "must be a string, not a number", "plugins.uidemo.limits.max_temp": "must be a number, not a string"}},
		{map[string]any{"ratio": json.Number("1e400")}, map[string]string{"plugins.uidemo.ratio": "the number 1e400 is beyond the range of a 64-bit float"}},
	} {
		r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{uidemo.ID: tc.change}})
		var body struct {
			Error       string            `json:"error"`
			FieldErrors map[string]string `json:"field_errors"`
		}
		_ = json.Unmarshal(r.body, &body)
		if r.status != http.StatusBadRequest || body.Error == "" || string(mustJSON(t, body.FieldErrors)) != string(mustJSON(t, tc.fields)) {
			t.Errorf("POST %v: %d %s, want 400 with field errors %v", tc.change, r.status, r.body, tc.fields)
		}
	}
}
