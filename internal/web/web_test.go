package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/tier"
)

// fakeAdmin is a server as the page sees it, with fixed answers.
type fakeAdmin struct {
	bundled.Admin // methods the page does not call panic
	plugins       []manager.Info
	orphans       []manager.Orphan
	repo          *repository.Repository
	safeMode      string
	quarantined   []bundled.Quarantine
}

func (a *fakeAdmin) Plugins() []manager.Info { return a.plugins }
func (a *fakeAdmin) Plugin(id string) (manager.Info, bool) {
	for _, in := range a.plugins {
		if in.Key == id {
			return in, true
		}
	}
	return manager.Info{}, false
}
func (a *fakeAdmin) Orphans() []manager.Orphan                      { return a.orphans }
func (a *fakeAdmin) Repository() *repository.Repository             { return a.repo }
func (a *fakeAdmin) SafeMode() string                               { return a.safeMode }
func (a *fakeAdmin) Quarantined() []bundled.Quarantine              { return a.quarantined }
func (a *fakeAdmin) HookNames() []string                            { return nil }
func (a *fakeAdmin) ExplainHook(string) ([]hooks.Explanation, bool) { return nil, false }

// testRepository serves testdata's index and notices and returns a
// repository that has fetched them.
func testRepository(t *testing.T) *repository.Repository {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata")))
	t.Cleanup(srv.Close)
	repo, err := repository.New(repository.Options{IndexURL: srv.URL + "/plugins.json", NoticesURL: srv.URL + "/notices.json", APIVersion: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Refresh(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(repo.Stop)
	return repo
}

// get serves one request through the page's routes as viewer v.
func get(t *testing.T, a bundled.Admin, v Viewer, path string) (int, string) {
	t.Helper()
	p, err := New(Options{Admin: a, Version: "9.9.9", Viewer: func(*http.Request) Viewer { return v }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

var admin = Viewer{Name: "ada", Admin: true, CSRF: "tok"}

func TestFragments(t *testing.T) {
	plugins := []manager.Info{
		{Key: "pluginmanager", Name: "Plugin Manager", Hidden: true, Bundled: true, Enabled: true},
		{Key: "hello", Name: "Hello", Version: "1.2.0", Author: "Ada", Tier: "source", State: "enabled", Enabled: true, Managable: true,
			Hooks: []string{"gcode.sending"}, Mixins: []string{"server.SimpleAPI"}},
		{Key: "broken", Name: "Broken", Version: "0.1.0", Tier: "source", State: "found", Managable: true,
			Error: &manager.ErrorInfo{Phase: manager.PhaseImport, Message: "undefined: x"}},
		{Key: "proc", Name: "Proc", Version: "2.0.0", Tier: "process", State: "enabled", Enabled: true, Managable: true,
			Faults: 3, LastFault: "hook gcode.sending: overran 250ms",
			Process: &manager.ProcessInfo{ProcessStatus: tier.ProcessStatus{PID: 4242}, Restarts: 2, LastCrash: "signal: killed"}},
		{Key: "sticky", Name: "Sticky", Version: "1.0.0", Tier: "builtin", State: "enabled", Enabled: true, Managable: true,
			PendingUninstall: true, NeedsRestart: true, RestartNeeding: []string{"implements tentacle.RestartNeeding"}},
		{Key: "core", Name: "Core", Version: "1.0.0", Tier: "builtin", State: "enabled", Enabled: true, Bundled: true},
	}
	a := &fakeAdmin{
		plugins:     plugins,
		orphans:     []manager.Orphan{{Plugin: "gone", Settings: true, Data: true}},
		repo:        testRepository(t),
		safeMode:    "requested with --safe",
		quarantined: []bundled.Quarantine{{Plugin: "hang", Evidence: "its Enable was running when the last start ended"}},
	}
	tests := []struct {
		path      string
		want, not []string
	}{{
		path: "/ui/plugins",
		want: []string{
			`id="plugin-hello"`, `<h3>Hello <small>1.2.0</small></h3>`, `aria-checked="true" data-toggle="hello"`,
			`data-uninstall="hello"`, "gcode.sending", "server.SimpleAPI",
			`Hello 1.2.0 loses settings &lt;b&gt;on upgrade&lt;/b&gt;`, // a notice, as text
			"<strong>Error in import:</strong> undefined: x", `aria-checked="false" data-toggle="broken"`,
			"3 faults; last: hook gcode.sending: overran 250ms", "process 4242 · 2 restarts · last crash: signal: killed",
			"uninstalled, gone after a restart", "restart-needing",
			"bundled", "5 of 5 plugins", `data-toggle="core"`,
		},
		not: []string{`id="plugin-pluginmanager"`, `data-uninstall="sticky"`, `data-uninstall="core"`},
	}, {
		path: "/ui/plugins?q=proc",
		want: []string{`id="plugin-proc"`, "1 of 5 plugins"},
		not:  []string{`id="plugin-hello"`},
	}, {
		path: "/ui/banners",
		want: []string{"<strong>Safe mode</strong>: only bundled plugins run (requested with --safe)",
			"<strong>hang</strong>: its Enable was running when the last start ended",
			"Changes to Sticky take effect after a restart.", `id="restart"`},
	}, {
		path: "/ui/orphans",
		want: []string{`data-orphan="gone"`, "settings, data folder", `data-cleanup="gone"`, "data-cleanup-all"},
	}, {
		path: "/ui/repository",
		want: []string{
			`data-repository-plugin="hello"`, "Installed", "Works with host API &gt;=0.1",
			"Cannot be installed here: the server runs in safe mode",
		},
		not: []string{`data-install-repository="hello"`, `data-install-repository="octolapse"`},
	}, {
		path: "/ui/repository?q=stabilized",
		want: []string{`data-repository-plugin="octolapse"`},
		not:  []string{`data-repository-plugin="hello"`},
	}}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(t, a, admin, tc.path)
			if code != http.StatusOK {
				t.Fatalf("%d %s", code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q:\n%s", w, body)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("has %q:\n%s", n, body)
				}
			}
		})
	}
}

// A repository not yet installed offers its install; one that cannot be
// reached says so.
func TestRepositoryStates(t *testing.T) {
	code, body := get(t, &fakeAdmin{repo: testRepository(t)}, admin, "/ui/repository")
	for _, want := range []string{
		`data-install-repository="hello"`,
		"Cannot be installed here: an OctoPrint (Python) plugin",
		"Cannot be installed here: installing it is switched off: it deletes files",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("not installed: %d, lacks %q: %s", code, want, body)
		}
	}
	if _, body := get(t, &fakeAdmin{}, admin, "/ui/repository"); !strings.Contains(body, "No plugin repository is configured") {
		t.Errorf("no repository: %s", body)
	}
	off, err := repository.New(repository.Options{}) // no index URL
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(off.Stop)
	if _, body := get(t, &fakeAdmin{repo: off}, admin, "/ui/repository"); !strings.Contains(body, "No plugin repository is configured") {
		t.Errorf("repository without an index URL: %s", body)
	}
	down, err := repository.New(repository.Options{IndexURL: "http://127.0.0.1:1/plugins.json"})
	if err != nil {
		t.Fatal(err)
	}
	_ = down.Refresh(context.Background(), true)
	t.Cleanup(down.Stop)
	if _, body := get(t, &fakeAdmin{repo: down}, admin, "/ui/repository"); !strings.Contains(body, "The plugin repository is unavailable") {
		t.Errorf("unreachable repository: %s", body)
	}
}

// Guests see the sign-in form; the fragments refuse them.
func TestGuest(t *testing.T) {
	a := &fakeAdmin{plugins: []manager.Info{{Key: "hello", Name: "Hello"}}}
	code, body := get(t, a, Viewer{}, "/")
	if code != 200 || !strings.Contains(body, `<form id="signin">`) || strings.Contains(body, "plugin-hello") {
		t.Errorf("page for a guest: %d %s", code, body)
	}
	for _, path := range []string{"/ui/plugins", "/ui/banners", "/ui/orphans", "/ui/repository"} {
		if code, _ := get(t, a, Viewer{}, path); code != http.StatusForbidden {
			t.Errorf("%s for a guest: %d, want 403", path, code)
		}
	}
	// An administrator's page carries the CSRF token for the page's writes.
	if _, body := get(t, a, admin, "/"); !strings.Contains(body, `data-csrf="tok"`) || !strings.Contains(body, `hx-headers='{"X-CSRF-Token": "tok"}'`) {
		t.Errorf("page for an administrator lacks the CSRF token: %s", body)
	}
}

// The first page and everything it loads stays under 200 KB.
func TestPageWeight(t *testing.T) {
	a := &fakeAdmin{plugins: []manager.Info{{Key: "hello", Name: "Hello", Managable: true}}}
	total := 0
	for _, path := range []string{"/", "/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js"} {
		code, body := get(t, a, admin, path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		total += len(body)
	}
	if total > 200_000 {
		t.Errorf("the first page weighs %d bytes; the budget is 200,000", total)
	}
}

// Vendored files are what scripts/vendor-web recorded: unchanged since,
// with their licence.
func TestVendored(t *testing.T) {
	data, err := os.ReadFile("static/vendor/VENDOR")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 4 {
			t.Fatalf("VENDOR line %q: want name package version sha256", line)
		}
		n++
		file, err := os.Open(filepath.Join("static/vendor", f[0]))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, file)
		file.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != f[3] {
			t.Errorf("%s: SHA-256 %s, VENDOR says %s: edited by hand? Run scripts/vendor-web", f[0], got, f[3])
		}
		if _, err := os.Stat(filepath.Join("static/vendor", f[0]+".LICENSE")); err != nil {
			t.Errorf("%s has no licence: %v", f[0], err)
		}
	}
	if n == 0 {
		t.Error("VENDOR lists nothing")
	}
}

// A template that fails answers 500 with no half page.
func TestRenderFailure(t *testing.T) {
	p, err := New(Options{Admin: &fakeAdmin{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.render(rec, "no-such-template", nil)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("render of a missing template: %d %s", rec.Code, rec.Body)
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New without Admin did not fail")
	}
}

// What plugins bring to the page goes where its type says, for signed-in
// viewers only; a template that failed shows its error in its place.
func TestPluginUI(t *testing.T) {
	ui := UI{
		Version: "v1",
		Navbar:  []Component{{Plugin: "hello", Type: "navbar", Name: "Hello", ID: "navbar_plugin_hello", HTML: `<a href="#x">Hi</a>`}},
		Sidebar: []Component{{Plugin: "hello", Type: "sidebar", Name: "Hello panel", ID: "sidebar_plugin_hello", HTML: `<p>side</p>`}},
		Tab: []Component{
			{Plugin: "hello", Type: "tab", Name: "Hello tab", ID: "tab_plugin_hello", HTML: `<p>tab content</p>`},
			{Plugin: "broken", Type: "tab", Name: "Broken", ID: "tab_plugin_broken", Error: "template: no such field"},
		},
		Settings: []Component{{Plugin: "hello", Type: "settings", Name: "Hello", ID: "settings_plugin_hello", HTML: `<p>own pane</p>`}},
		Wizard:   []Component{{Plugin: "hello", Type: "wizard", Name: "Welcome", ID: "wizard_plugin_hello", HTML: `<p>step one</p>`}},
		JS:       []string{"/plugin/hello/static/hello.js"},
		CSS:      []string{"/plugin/hello/static/hello.css"},
		SettingsForms: []SettingsForm{{Plugin: "weather", Name: "Weather", ID: "settings_plugin_weather", Fields: []SettingsField{
			{Path: "city", Key: "plugins.weather.city", Label: "City", Type: FieldString, Value: `Oslo "<b>"`},
			{Path: "units.metric", Key: "plugins.weather.units.metric", Label: "Metric", Type: FieldBool, Value: true},
			{Path: "interval", Key: "plugins.weather.interval", Label: "Interval", Type: FieldInteger, Value: 15},
			{Path: "stations", Key: "plugins.weather.stations", Label: "Stations", Type: FieldList, Value: []any{"a", "b"}},
			{Path: "api_key", Key: "plugins.weather.api_key", Label: "Api key", Type: FieldString, Restricted: "admin", Hidden: true},
		}}},
	}
	page := func(v Viewer) string {
		t.Helper()
		p, err := New(Options{Admin: &fakeAdmin{}, Viewer: func(*http.Request) Viewer { return v }, UI: func(*http.Request) UI { return ui }})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		p.page(rec, httptest.NewRequest("GET", "/", nil))
		return rec.Body.String()
	}
	body := page(admin)
	for _, want := range []string{
		`<nav aria-label="Plugins' links" id="navbar"><div id="navbar_plugin_hello-content" class="plugin-ui" data-plugin="hello"><a href="#x">Hi</a></div></nav>`,
		`<aside class="sidebar" aria-label="Plugins' panels">`, `<h2>Hello panel</h2>`, `<p>side</p>`,
		`role="tab" id="tab-plugins"`, `role="tab" id="tab-settings"`,
		`<button type="button" role="tab" id="tab-tab_plugin_hello" aria-controls="tab_plugin_hello" aria-selected="false">Hello tab</button>`,
		`<section role="tabpanel" id="tab_plugin_hello" aria-labelledby="tab-tab_plugin_hello" class="panel" hidden>`, `<p>tab content</p>`,
		`<p class="error">Broken cannot be shown: template: no such field</p>`,
		`<p>own pane</p>`, `<p>step one</p>`, `id="wizard-open"`,
		`<script src="/plugin/hello/static/hello.js" defer>`, `<link rel="stylesheet" href="/plugin/hello/static/hello.css">`,
		`<form class="panel settings-form" id="settings_plugin_weather" data-plugin="weather"`,
		`name="plugins.weather.city" value="Oslo &#34;&lt;b&gt;&#34;"`, // escaped
		`name="plugins.weather.units.metric" aria-describedby="err-plugins.weather.units.metric" checked>`,
		`name="plugins.weather.interval" type="number" step="1" value="15"`,
		"[\n  &#34;a&#34;,\n  &#34;b&#34;\n]</textarea>",
		`name="plugins.weather.api_key" type="password" autocomplete="off" value="" aria-describedby="err-plugins.weather.api_key" disabled>`,
		`data-ui-version="v1"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	// A non-admin sees the plugins' parts, not the Plugin Manager.
	body = page(Viewer{Name: "bob"})
	if !strings.Contains(body, "<p>tab content</p>") || strings.Contains(body, `id="tab-plugins"`) || strings.Contains(body, `id="plugins"`) {
		t.Errorf("page for a user who is no admin:\n%s", body)
	}
	// A guest sees none of it.
	body = page(Viewer{})
	for _, not := range []string{"tab content", "hello.js", "hello.css", "Hi</a>", "settings-form"} {
		if strings.Contains(body, not) {
			t.Errorf("guest's page has %q", not)
		}
	}
}
