package serve_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
)

// watchedZip is a source plugin archive: watched/watched.go at version v
// (see watched in watch_test.go); broken makes it fail to compile.
func watchedZip(t *testing.T, v string, broken bool) []byte {
	t.Helper()
	src := fmt.Sprintf(watched, v, v)
	if broken {
		src += "\nfunc broken() { undefined() }\n"
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("watched/watched.go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, src); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// files serves archives by path.
func files(t *testing.T, byPath map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// installWait installs through the Plugin Manager's command, waiting for
// the result (Tentacle's "wait").
func installWait(t *testing.T, h *harness, body map[string]any) pluginmanager.Result {
	t.Helper()
	body["command"], body["wait"] = "install", true
	r := h.do("POST", "/api/plugin/pluginmanager", h.key, body)
	if r.status != http.StatusOK {
		t.Fatalf("install %v: %d %s", body, r.status, r.body)
	}
	var res pluginmanager.Result
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// version asks the installed watched plugin its version.
func version(h *harness) string {
	r := h.do("POST", "/api/plugin/watched", h.key, map[string]any{"command": "version"})
	var v struct{ Version string }
	_ = json.Unmarshal(r.body, &v)
	return v.Version
}

// Install from a URL, reinstall a newer version, fail to reinstall a broken
// one (the installed version keeps running, its files untouched), uninstall
// (its settings become orphans), clean up.
func TestInstallLifecycle(t *testing.T) {
	h := start(t, setup{folder: true, config: "plugins:\n  watched:\n    note: kept\n"})
	srv := files(t, map[string][]byte{
		"/watched-1.zip":      watchedZip(t, "1.0.0", false),
		"/watched-2.zip":      watchedZip(t, "2.0.0", false),
		"/watched-broken.zip": watchedZip(t, "3.0.0", true),
	})

	res := installWait(t, h, map[string]any{"url": srv.URL + "/watched-1.zip"})
	if !res.Result || res.Installed == nil || res.Installed.Path != "plugins/watched" || res.SourceType != "url" {
		t.Fatalf("install: %+v", res)
	}
	if v := version(h); v != "1.0.0" {
		t.Fatalf("installed plugin answers %q", v)
	}
	if in := pluginInfo(t, h, "watched"); !in.Enabled || in.Tier != "source" {
		t.Errorf("after install: %+v", in)
	}

	// Again without reinstall: refused, nothing changes.
	if res := installWait(t, h, map[string]any{"url": srv.URL + "/watched-2.zip"}); res.Result || res.Status != http.StatusConflict {
		t.Errorf("second install without reinstall: %+v", res)
	}
	res = installWait(t, h, map[string]any{"url": srv.URL + "/watched-2.zip", "plugin": "watched"})
	if !res.Result || res.WasReinstalled == nil || !*res.WasReinstalled {
		t.Fatalf("reinstall: %+v", res)
	}
	eventually(t, "version 2 running", func() bool { return version(h) == "2.0.0" })

	before := string(readFile(t, h.path("plugins/watched/watched.go")))
	res = installWait(t, h, map[string]any{"url": srv.URL + "/watched-broken.zip", "plugin": "watched"})
	if res.Result || res.Reason == nil {
		t.Fatalf("broken reinstall: %+v", res)
	}
	if v := version(h); v != "2.0.0" {
		t.Errorf("after a failed reinstall the plugin answers %q; want the installed 2.0.0", v)
	}
	if after := string(readFile(t, h.path("plugins/watched/watched.go"))); after != before {
		t.Error("a failed reinstall changed the installed files")
	}

	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "uninstall", "plugin": "watched"})
	if r.status != http.StatusOK {
		t.Fatalf("uninstall: %d %s", r.status, r.body)
	}
	if _, err := os.Stat(h.path("plugins/watched")); !os.IsNotExist(err) {
		t.Errorf("plugin files after uninstall: %v", err)
	}
	var orphans struct {
		OrphanData map[string]map[string]bool `json:"orphan_data"`
	}
	h.getJSON("/plugin/pluginmanager/orphans", &orphans)
	if !orphans.OrphanData["watched"]["settings"] {
		t.Errorf("orphans after uninstall: %+v", orphans)
	}
	if r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "cleanup", "plugin": "watched"}); r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"result": true`)) {
		t.Errorf("cleanup: %d %s", r.status, r.body)
	}
	orphans.OrphanData = nil // decoded afresh, not merged
	h.getJSON("/plugin/pluginmanager/orphans", &orphans)
	if _, ok := orphans.OrphanData["watched"]; ok {
		t.Errorf("orphans after cleanup: %+v", orphans)
	}
	if strings.Contains(string(readFile(t, h.path("config.yaml"))), "note: kept") {
		t.Error("cleanup left the plugin's settings in config.yaml")
	}
}

// An upload of a single .go file installs a plugin named after the file;
// one with another extension is refused before anything is written.
func TestInstallUpload(t *testing.T) {
	h := start(t, setup{folder: true})
	upload := func(name, content string, wait bool, fields ...string) (int, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		io.WriteString(fw, content)
		if wait {
			mw.WriteField("wait", "true")
		}
		for i := 0; i+1 < len(fields); i += 2 {
			mw.WriteField(fields[i], fields[i+1])
		}
		mw.Close()
		req, _ := http.NewRequest("POST", h.url+"/plugin/pluginmanager/upload_file", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Api-Key", h.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	if status, body := upload("watched.exe", "x", true); status != http.StatusBadRequest {
		t.Errorf("upload of a .exe: %d %s", status, body)
	}
	status, body := upload("watched.go", fmt.Sprintf(watched, "1.0.0", "1.0.0"), true)
	var res pluginmanager.Result
	if err := json.Unmarshal(body, &res); status != http.StatusOK || err != nil || !res.Result {
		t.Fatalf("upload: %d %s", status, body)
	}
	if res.Installed.Path != "plugins/watched.go" || version(h) != "1.0.0" {
		t.Errorf("installed %+v, answers %q", res.Installed, version(h))
	}
	// A second upload replaces it only when it names the plugin.
	if status, body := upload("watched.go", fmt.Sprintf(watched, "2.0.0", "2.0.0"), true); status != http.StatusOK || !bytes.Contains(body, []byte(`"status": 409`)) {
		t.Errorf("upload over an installed plugin: %d %s", status, body)
	}
	// This one is larger than the server's default body limit for plugins
	// (100 KiB): the Plugin Manager's body size hook lets it through.
	padded := fmt.Sprintf(watched, "2.0.0", "2.0.0") + "\n// " + strings.Repeat("x", 200<<10) + "\n"
	status, body = upload("watched.go", padded, true, "plugin", "watched")
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"was_reinstalled": true`)) {
		t.Errorf("upload replacing the plugin: %d %s", status, body)
	}
	eventually(t, "version 2 running", func() bool { return version(h) == "2.0.0" })
	// Uploads are kept only while they install.
	if des, _ := os.ReadDir(h.path(".install")); len(des) != 0 {
		t.Errorf("left in the staging folder: %v", des)
	}
}

// failing is a source plugin that passes lint but whose Initialize fails.
const failing = `package failing

import (
	"errors"

	"github.com/tentacle-go/tentacle"
)

type F struct{ tentacle.Base }

func (f *F) Initialize() error { return errors.New("no printer attached") }

var _ tentacle.Initializer = (*F)(nil)

var Plugin = tentacle.Definition{Name: "Failing", Version: "1.0.0", Implementation: &F{}}
`

// A new plugin whose code fails to enable is taken out again: nothing of
// it stays in the plugins folder, and the result names the phase.
func TestInstallFailedEnableTakenOut(t *testing.T) {
	h := start(t, setup{folder: true})
	srv := files(t, map[string][]byte{"/failing.go": []byte(failing)})
	res := installWait(t, h, map[string]any{"url": srv.URL + "/failing.go"})
	if res.Result || res.Reason == nil || !strings.Contains(*res.Reason, "no printer attached") {
		t.Fatalf("install of a failing plugin: %+v", res)
	}
	if des, _ := os.ReadDir(h.path("plugins")); len(des) != 0 {
		t.Errorf("left in the plugins folder: %v", des)
	}
	if _, ok := listingHas(t, h, "failing"); ok {
		t.Error("the failing plugin is still listed")
	}
}

// listingHas returns plugin id's entry from the full listing.
func listingHas(t *testing.T, h *harness, id string) (pluginmanager.Entry, bool) {
	for _, e := range listing(t, h).Plugins {
		if e.Key == id {
			return e, true
		}
	}
	return pluginmanager.Entry{}, false
}

// The repository, served by a test server: its index is listed, a plugin
// installs by its identifier with the index's SHA-256 checked, and its
// notices show in the installed plugin's entry.
func TestInstallFromRepository(t *testing.T) {
	good := watchedZip(t, "1.0.0", false)
	var srvURL string
	index := func() []byte {
		return []byte(fmt.Sprintf(`[
 {"id": "watched", "title": "Watched", "description": "Answers its version", "author": "T", "homepage": "",
  "archive": %q, "sha256": %q, "tier": "source", "version": "1.0.0", "attributes": ["free"]},
 {"id": "lying", "title": "Lying", "archive": %q, "sha256": "%064d", "tier": "source", "version": "1.0.0"},
 {"id": "octoprint_only", "title": "A Python plugin", "archive": "https://example.com/x.zip"}
]`, srvURL+"/watched.zip", sum(good), srvURL+"/watched.zip", 0))
	}
	notices := []byte(`[{"plugin": "watched", "text": "Version 1.0.0 answers slowly", "date": "2026-12-01 10:00:00 +0000", "pluginversions": ["<=1.0.0"], "important": true}]`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/plugins.json":
			w.Write(index())
		case "/notices.json":
			w.Write(notices)
		case "/watched.zip":
			w.Write(good)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	srvURL = srv.URL
	h := start(t, setup{folder: true, config: fmt.Sprintf("plugins:\n  pluginmanager:\n    repository: %s/plugins.json\n    notices: %s/notices.json\n", srv.URL, srv.URL)})

	var repo struct {
		Repository struct {
			Available bool
			Plugins   []struct{ ID, Tier string }
		}
	}
	h.getJSON("/plugin/pluginmanager/repository?refresh=true", &repo)
	if !repo.Repository.Available || len(repo.Repository.Plugins) != 3 {
		t.Fatalf("repository: %+v", repo)
	}
	if res := installWait(t, h, map[string]any{"repository_id": "lying"}); res.Result || !strings.Contains(*res.Reason, "SHA-256") {
		t.Errorf("install of an entry whose archive does not match its sha256: %+v", res.Reason)
	}
	if res := installWait(t, h, map[string]any{"repository_id": "octoprint_only"}); res.Result {
		t.Errorf("install of an entry without a tier: %+v", res)
	}
	res := installWait(t, h, map[string]any{"repository_id": "watched"})
	if !res.Result || version(h) != "1.0.0" {
		t.Fatalf("install from the repository: %+v", res)
	}
	var one struct{ Plugin pluginmanager.Entry }
	h.getJSON("/plugin/pluginmanager/plugins/watched?refresh=true", &one)
	n := one.Plugin.Notifications
	if len(n) != 1 || n[0].Text != "Version 1.0.0 answers slowly" || !n[0].Important || n[0].Date == 0 {
		t.Errorf("notifications: %+v", n)
	}
	if len(one.Plugin.Attributes) != 1 || one.Plugin.Attributes[0] != "free" {
		t.Errorf("attributes: %v", one.Plugin.Attributes)
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// One install at a time: while one downloads, another gets 409 and
// changes nothing; the first then completes and reports its result on the
// socket.
func TestInstallOneAtATime(t *testing.T) {
	release := make(chan struct{})
	requested := make(chan struct{}, 1)
	zipped := watchedZip(t, "1.0.0", false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requested <- struct{}{}
		<-release
		w.Write(zipped)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	h := start(t, setup{folder: true})
	sock := dial(t, h)
	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "install", "url": srv.URL + "/watched.zip"})
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"in_progress": true`)) {
		t.Fatalf("first install: %d %s", r.status, r.body)
	}
	<-requested
	r = h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "install", "url": srv.URL + "/other.zip"})
	if r.status != http.StatusConflict {
		t.Errorf("second install while one runs: %d %s", r.status, r.body)
	}
	close(release)
	isPM := func(typ string) func(v map[string]any) bool {
		return func(v map[string]any) bool {
			data, _ := v["data"].(map[string]any)
			return v["plugin"] == "pluginmanager" && data["type"] == typ
		}
	}
	checkShape(t, "loglines.json", mustJSON(t, sock.next(t, "plugin", isPM("loglines"))["data"]))
	checkShape(t, "install_result.json", mustJSON(t, sock.next(t, "plugin", isPM("result"))["data"]))
	ev := sock.next(t, "event", func(v map[string]any) bool { return v["type"] == "plugin_pluginmanager_install_plugin" })
	if payload, _ := ev["payload"].(map[string]any); payload["id"] != "watched" || payload["version"] != "1.0.0" || payload["source_type"] != "url" {
		t.Errorf("install event: %v", ev)
	}
	if version(h) != "1.0.0" {
		t.Error("the first install did not complete")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A transaction that a killed server left in the staging folder is dealt
// with at the next start, before plugins are scanned.
func TestStartRecoversInstalls(t *testing.T) {
	dir := t.TempDir()
	// A download that never reached the place step: no journal.
	if err := os.MkdirAll(filepath.Join(dir, ".install", "txn-killed"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".install", "txn-killed", "hello.zip"), "partial")
	h := start(t, setup{dir: dir, folder: true})
	if _, err := os.Stat(h.path(".install", "txn-killed")); !os.IsNotExist(err) {
		t.Errorf("the interrupted transaction is still there: %v", err)
	}
}

// A repository that does not answer keeps nothing waiting: the server
// starts and serves, and says the repository is unavailable and why.
func TestRepositoryUnreachableAtStart(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(hang) })
	h := start(t, setup{config: "plugins:\n  pluginmanager:\n    repository: " + srv.URL + "/plugins.json\n"})
	var repo struct {
		Repository struct {
			Available bool
			Error     string
		}
	}
	h.getJSON("/plugin/pluginmanager/repository", &repo)
	if repo.Repository.Available || repo.Repository.Error == "" {
		t.Errorf("repository while its server hangs: %+v", repo)
	}
	var l pluginmanager.Listing
	h.getJSON("/plugin/pluginmanager/plugins", &l)
	if l.Online {
		t.Error("listing says online")
	}
}

// A local folder of Go source installs by its path, as plugins/<id>/.
func TestInstallLocalFolder(t *testing.T) {
	src := filepath.Join(t.TempDir(), "watched")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "watched.go"), fmt.Sprintf(watched, "1.0.0", "1.0.0"))
	h := start(t, setup{folder: true})
	res := installWait(t, h, map[string]any{"path": src})
	if !res.Result || res.Installed.Path != "plugins/watched" || res.SourceType != "path" || version(h) != "1.0.0" {
		t.Fatalf("install of a folder: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(src, "watched.go")); err != nil {
		t.Errorf("the source folder was changed: %v", err)
	}
}

// sticky is a restart-needing source plugin that remembers whether it was
// told of its pending uninstall.
const sticky = `package sticky

import "github.com/tentacle-go/tentacle"

type S struct {
	tentacle.Base
	told bool
}

func (*S) RestartNeedingPlugin()        {}
func (s *S) OnPluginPendingUninstall() { s.told = true }

func (s *S) APICommands() map[string][]string { return map[string][]string{"told": nil} }

func (s *S) OnAPICommand(_ string, _ map[string]any) (any, error) {
	return map[string]any{"told": s.told}, nil
}

var Plugin = tentacle.Definition{Name: "Sticky", Version: "1.0.0", Implementation: &S{}}
`

// Uninstalling a restart-needing plugin through the API tells it first,
// removes its files, and leaves it running, pending uninstall, until the
// restart; after the restart it is gone and its settings are orphans.
func TestUninstallRestartNeeding(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), "plugins:\n  sticky:\n    note: kept\n")
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "sticky.go"), sticky)
	h := start(t, setup{dir: dir, folder: true})
	if in := pluginInfo(t, h, "sticky"); !in.Enabled || len(in.RestartNeeding) == 0 {
		t.Fatalf("before: %+v %+v", in, in.Error)
	}

	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "uninstall", "plugin": "sticky", "cleanup": true})
	if r.status != http.StatusOK {
		t.Fatalf("uninstall: %d %s", r.status, r.body)
	}
	var res struct {
		Result       bool
		NeedsRestart bool `json:"needs_restart"`
		Plugin       pluginmanager.Entry
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Result || !res.NeedsRestart || !res.Plugin.PendingUninstall {
		t.Fatalf("uninstall result: %s", r.body)
	}
	told := h.do("POST", "/api/plugin/sticky", h.key, map[string]any{"command": "told"})
	if told.status != http.StatusOK || !bytes.Contains(told.body, []byte(`"told": true`)) {
		t.Errorf("the plugin, still running until the restart, answers %d %s; want told", told.status, told.body)
	}
	if in := pluginInfo(t, h, "sticky"); !in.PendingUninstall || !in.Enabled {
		t.Errorf("listed after uninstall: %+v", in)
	}
	if _, err := os.Stat(filepath.Join(dir, "plugins", "sticky.go")); !os.IsNotExist(err) {
		t.Errorf("plugin file after uninstall: %v", err)
	}
	// A second uninstall changes nothing and says so.
	if r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "uninstall", "plugin": "sticky"}); r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"needs_restart": true`)) {
		t.Errorf("second uninstall: %d %s", r.status, r.body)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// The cleanup asked for waits for the restart: the settings are kept
	// until the operator cleans up the orphan.
	h = start(t, setup{dir: dir, folder: true})
	if _, ok := listingHas(t, h, "sticky"); ok {
		t.Error("the plugin is listed after the restart")
	}
	var orphans struct {
		OrphanData map[string]map[string]bool `json:"orphan_data"`
	}
	h.getJSON("/plugin/pluginmanager/orphans", &orphans)
	if !orphans.OrphanData["sticky"]["settings"] {
		t.Errorf("orphans after the restart: %+v", orphans)
	}
}
