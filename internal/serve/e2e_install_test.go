package serve_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
	proctier "github.com/tentacle-go/tentacle/tier/process"
)

// packageArchive returns a .tar.gz of the package "packaged" holding exe:
// flat (packaged/plugin.yaml and the executable) or, with platform, under
// packaged/<goos>_<goarch>/.
func packageArchive(t *testing.T, exe, version, platform string) []byte {
	t.Helper()
	return packageArchiveOf(t, "packaged", "Packaged", exe, version, platform)
}

// packageArchiveOf returns a .tar.gz of the package id (named name)
// holding exe, as packageArchive does.
func packageArchiveOf(t *testing.T, id, name, exe, version, platform string) []byte {
	t.Helper()
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := proctier.FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	dir := id + "/"
	if platform != "" {
		dir += platform + "/"
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	put := func(name string, body []byte, mode int64) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	put(dir+proctier.ManifestFile, []byte("id: "+id+"\nname: "+name+"\nversion: "+version+"\nsha256: "+sum+"\n"), 0o644)
	put(dir+proctier.ExecutablePrefix+id, data, 0o755)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPackageInstallEndToEnd installs a process plugin's package into the
// tentacle command through the Plugin Manager, from a URL: enabled at
// once with a process of its own; upgraded from a per-platform archive
// (the old process ends); uninstalled (its process ends, its files go).
func TestPackageInstallEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command and a plugin executable")
	}
	defer http.DefaultClient.CloseIdleConnections()
	bin := buildHost(t)
	v1, v2 := buildPackaged(t, "1.0.0"), buildPackaged(t, "2.0.0")
	srv := files(t, map[string][]byte{
		"/packaged-1.tar.gz": packageArchive(t, v1, "1.0.0", ""),
		"/packaged-2.tar.gz": packageArchive(t, v2, "2.0.0", runtime.GOOS+"_"+runtime.GOARCH),
	})
	dir := t.TempDir()
	p, h := serveCommand(t, bin, dir)
	install := func(body map[string]any) pluginmanager.Result {
		t.Helper()
		body["command"], body["wait"] = "install", true
		r := h.do("POST", "/api/plugin/pluginmanager", h.key, body)
		var res pluginmanager.Result
		if r.status != http.StatusOK || json.Unmarshal(r.body, &res) != nil {
			t.Fatalf("install: %d %s", r.status, r.body)
		}
		return res
	}
	version := func() any {
		r := h.do("POST", "/api/plugin/packaged", h.key, map[string]any{"command": "version"})
		var out map[string]any
		_ = json.Unmarshal(r.body, &out)
		return out["version"]
	}
	info := func() manager.Info {
		var v struct{ Plugin pluginmanager.Entry }
		h.getJSON("/plugin/pluginmanager/plugins/packaged", &v)
		return v.Plugin.Info
	}

	if res := install(map[string]any{"url": srv.URL + "/packaged-1.tar.gz"}); !res.Result || res.Installed.Path != "packages/packaged" {
		t.Fatalf("install: %+v", res)
	}
	if version() != "1.0.0" {
		t.Fatalf("the installed package answers %v", version())
	}
	in := info()
	if in.Tier != "process" || in.Process == nil || in.Process.PID == 0 {
		t.Fatalf("after install: %+v", in)
	}
	pid := in.Process.PID

	if res := install(map[string]any{"url": srv.URL + "/packaged-2.tar.gz", "plugin": "packaged", "force": true}); !res.Result || !*res.WasReinstalled {
		t.Fatalf("upgrade: %+v", res)
	}
	eventually(t, "the upgrade running", func() bool { return version() == "2.0.0" })
	eventually(t, "the old process to end", func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) })
	pid = info().Process.PID

	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "uninstall", "plugin": "packaged"})
	if r.status != http.StatusOK {
		t.Fatalf("uninstall: %d %s", r.status, r.body)
	}
	eventually(t, "its process to end", func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) })
	if _, err := os.Stat(filepath.Join(dir, "packages", "packaged")); !os.IsNotExist(err) {
		t.Errorf("package files after uninstall: %v", err)
	}
	p.stop(syscall.SIGTERM)
}
