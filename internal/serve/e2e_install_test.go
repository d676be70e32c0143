//go:build unix

// Unix-only: these run the tentacle command as e2e_test.go does (a process
// group, signals).

package serve_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/tentacle-go/tentacle/internal/proctest"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugins/pluginmanager"
)

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
	eventually(t, "the old process to end", func() bool { return proctest.Gone(pid) })
	pid = info().Process.PID

	r := h.do("POST", "/api/plugin/pluginmanager", h.key, map[string]any{"command": "uninstall", "plugin": "packaged"})
	if r.status != http.StatusOK {
		t.Fatalf("uninstall: %d %s", r.status, r.body)
	}
	eventually(t, "its process to end", func() bool { return proctest.Gone(pid) })
	if _, err := os.Stat(filepath.Join(dir, "packages", "packaged")); !os.IsNotExist(err) {
		t.Errorf("package files after uninstall: %v", err)
	}
	p.stop(syscall.SIGTERM)
}
