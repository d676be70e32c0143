package cli

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// What "plugins install" sends for each kind of SRC: a URL, an existing
// path (absolute), else a repository identifier; a path that does not
// exist and is no identifier stays a path, for the install to refuse.
func TestInstallSource(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("hello.go", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("watched", 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src  string
		want bundled.InstallRequest
	}{
		{"https://example.com/w.zip", bundled.InstallRequest{URL: "https://example.com/w.zip"}},
		{"ftp://example.com/w.zip", bundled.InstallRequest{URL: "ftp://example.com/w.zip"}},
		{"hello.go", bundled.InstallRequest{Path: filepath.Join(dir, "hello.go")}},
		{"watched", bundled.InstallRequest{Path: filepath.Join(dir, "watched")}},
		{"mqtt", bundled.InstallRequest{RepositoryID: "mqtt"}},
		{"missing.zip", bundled.InstallRequest{Path: filepath.Join(dir, "missing.zip")}},
		{"Not-An-ID", bundled.InstallRequest{Path: filepath.Join(dir, "Not-An-ID")}},
	}
	for _, tt := range tests {
		got, err := installSource(tt.src)
		if err != nil || got != tt.want {
			t.Errorf("installSource(%q) = %+v, %v; want %+v", tt.src, got, err, tt.want)
		}
	}
}

// --reinstall alone finds the identifier of the plugin a source holds, as
// the installer will, or says it cannot.
func TestReinstallID(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	folder := filepath.Join(dir, "folder_plugin")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    bundled.InstallRequest
		want   string
		wantOK bool
	}{
		{"repository", bundled.InstallRequest{RepositoryID: "mqtt"}, "mqtt", true},
		{"url of a go file", bundled.InstallRequest{URL: "https://example.com/p/hello.go?x=1"}, "hello", true},
		{"url of an archive", bundled.InstallRequest{URL: "https://example.com/hello-1.zip"}, "", false},
		{"go file", bundled.InstallRequest{Path: write("single.go", nil)}, "single", true},
		{"folder", bundled.InstallRequest{Path: folder}, "folder_plugin", true},
		{"zip", bundled.InstallRequest{Path: write("a.zip", zipOf(t, "zipped/zipped.go", "__MACOSX/._x", ".DS_Store"))}, "zipped", true},
		{"tgz", bundled.InstallRequest{Path: write("a.tgz", tarOf(t, true, "./tgzed/", "tgzed/tgzed.go"))}, "tgzed", true},
		{"tar, named otherwise", bundled.InstallRequest{Path: write("a.bin", tarOf(t, false, "tarred/plugin.yaml"))}, "tarred", true},
		{"two folders", bundled.InstallRequest{Path: write("b.zip", zipOf(t, "a/a.go", "b/b.go"))}, "", false},
		{"a file at the top", bundled.InstallRequest{Path: write("c.zip", zipOf(t, "c.go"))}, "", false},
		{"not an archive", bundled.InstallRequest{Path: write("d.zip", []byte("hello"))}, "", false},
		{"missing", bundled.InstallRequest{Path: filepath.Join(dir, "nothing.zip")}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := reinstallID(tt.req)
			if id != tt.want && tt.wantOK || ok != tt.wantOK {
				t.Errorf("reinstallID(%+v) = %q, %v; want %q, %v", tt.req, id, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		if _, err := zw.Create(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarOf(t *testing.T, gz bool, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, n := range names {
		typ := byte(tar.TypeReg)
		if strings.HasSuffix(n, "/") {
			typ = tar.TypeDir
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: typ, Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// What an install says about when the plugin runs: through the server
// the manager's change; offline the same change made for the next start.
func TestDescribeTakeUp(t *testing.T) {
	enable := manager.Change{Plugin: "w", Action: "enable"}
	reload := manager.Change{Plugin: "w", Action: "reload"}
	with := func(ch manager.Change, f func(*manager.Change)) manager.Change { f(&ch); return ch }
	tests := []struct {
		name    string
		ch      manager.Change
		enabled bool
		served  string
		offline string
	}{
		{"new", with(enable, func(c *manager.Change) { c.Applied = true }), true,
			"w: enabled", "w: enabled in config.yaml; takes effect at the next start of the server"},
		{"new, left for the start (offline)", enable, true,
			"w: already enabled", "w: enabled in config.yaml; takes effect at the next start of the server"},
		{"new, restart-needing", with(enable, func(c *manager.Change) { c.Pending, c.NeedsRestart = true, true }), false,
			"w: will be enabled after a restart", "w: will be enabled after a restart"},
		{"replaced", with(reload, func(c *manager.Change) { c.Applied = true }), true,
			"w: reloaded", "w: the new version runs at the next start of the server"},
		{"replaced, reload pages", with(reload, func(c *manager.Change) { c.Applied, c.NeedsReload = true, true }), true,
			"w: reloaded; reload open browser pages", "w: the new version runs at the next start of the server"},
		{"replaced, restart-needing", with(reload, func(c *manager.Change) { c.Pending = true }), true,
			"w: the new version runs after a restart", "w: the new version runs after a restart"},
		{"replaced, disabled", with(reload, func(c *manager.Change) { c.Applied = true }), false,
			"w: not running; the new version runs once it is enabled", "w: not running; the new version runs once it is enabled"},
	}
	for _, tt := range tests {
		if got := describeTakeUp(tt.ch, tt.enabled); got != tt.served {
			t.Errorf("%s, served: %q, want %q", tt.name, got, tt.served)
		}
		if got := describeTakeUp(atNextStart(tt.ch), tt.enabled); got != tt.offline {
			t.Errorf("%s, offline: %q, want %q", tt.name, got, tt.offline)
		}
	}
}

// Through the server, an install is the Plugin Manager's install command
// with Tentacle's wait, naming its source as the Plugin Manager takes it;
// a failed install is its reason.
func TestRemoteInstallRequest(t *testing.T) {
	var got map[string]any
	answer := `{"result": true, "installed": {"plugin": "w", "version": "1.0.0", "path": "plugins/w"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = nil
		if r.URL.Path != commandPath || r.Header.Get("X-Api-Key") != "key" || json.NewDecoder(r.Body).Decode(&got) != nil {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	r := &remote{base: srv.URL, apiKey: "key", client: srv.Client()}
	tests := []struct {
		req  bundled.InstallRequest
		want map[string]any
	}{
		{bundled.InstallRequest{URL: "https://example.com/w.zip"},
			map[string]any{"command": "install", "wait": true, "force": false, "url": "https://example.com/w.zip"}},
		{bundled.InstallRequest{Path: "/tmp/w.zip", Reinstall: "w", Force: true, SHA256: "ab"},
			map[string]any{"command": "install", "wait": true, "force": true, "path": "/tmp/w.zip", "reinstall": "w", "sha256": "ab"}},
		{bundled.InstallRequest{RepositoryID: "w"},
			map[string]any{"command": "install", "wait": true, "force": false, "repository_id": "w"}},
	}
	for _, tt := range tests {
		out, err := r.install(context.Background(), tt.req, &progress{})
		if err != nil || out.Plugin != "w" || out.Path != "plugins/w" {
			t.Errorf("install(%+v) = %+v, %v", tt.req, out, err)
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(tt.want)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("install(%+v) sent %s, want %s", tt.req, gotJSON, wantJSON)
		}
	}
	answer = `{"result": false, "reason": "install \"w\": unpack: entry \"../x\" leaves the folder", "status": 400}`
	if _, err := r.install(context.Background(), tests[0].req, &progress{}); err == nil || err.Error() != `install "w": unpack: entry "../x" leaves the folder` {
		t.Errorf("failed install: %v, want its reason", err)
	}
}

// On a terminal an install shows its steps and a download bar, and clears
// them; elsewhere it shows nothing.
func TestProgress(t *testing.T) {
	for _, tty := range []bool{true, false} {
		var buf bytes.Buffer
		o := &options{stderr: &buf, tty: tty}
		p := o.newProgress()
		p.step("Installing plugin from https://example.com/w.zip")
		p.download(1<<20, 4<<20)
		p.download(4<<20, 4<<20)
		p.step("Unpacking w.zip")
		p.download(10, -1)
		p.finish()
		shown := buf.String()
		p.step("after the end")
		if buf.Len() != len(shown) {
			t.Errorf("tty %v: printed after finish: %q", tty, buf.String()[len(shown):])
		}
		if !tty {
			if shown != "" {
				t.Errorf("not a terminal: printed %q", shown)
			}
			continue
		}
		for _, want := range []string{"Installing plugin from", "downloading", "MB", "Unpacking w.zip"} {
			if !strings.Contains(shown, want) {
				t.Errorf("terminal: %q does not show %q", shown, want)
			}
		}
		if last := shown[strings.LastIndexByte(shown, '\r')+1:]; strings.TrimSpace(last) != "" {
			t.Errorf("terminal: the line is left showing %q", last)
		}
	}
}
