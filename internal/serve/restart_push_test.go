//go:build unix

// Unix-only: TestRestartEndToEnd runs the tentacle command as e2e_test.go
// does (a process group, signals).

package serve_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	tentaclecli "github.com/tentacle-go/tentacle/internal/cli"
	"github.com/tentacle-go/tentacle/internal/serve"
)

// needy is a source plugin that needs a restart to be enabled: dropped
// into <basedir>/plugins while the server runs, it waits for one.
const needy = `package needy

import "github.com/tentacle-go/tentacle"

type N struct{ tentacle.Base }

func (*N) RestartNeedingPlugin() {}

var Plugin = tentacle.Definition{Name: "Needy", Version: "1.0.0", Implementation: &N{}}
`

// TestRestartEndToEnd restarts the tentacle command through the API: the
// same process runs the server again (exec) with a new start, on the same
// port, with the same key; the plugin process was stopped and started
// again; a change that waited for a restart took effect; a safe restart
// comes back in safe mode; nothing is left running at the end.
func TestRestartEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command and a plugin executable")
	}
	defer http.DefaultClient.CloseIdleConnections()
	bin := buildHost(t)
	exe := buildPackaged(t, "1.0.0")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config.yaml"), "plugins:\n  _autoEnable: true\n")
	installByHand(t, dir, exe, "1.0.0")
	p, h := serveCommand(t, bin, dir)
	pluginPID := func() int {
		var out map[string]any
		r := h.do("POST", "/api/plugin/packaged", h.key, map[string]any{"command": "pid"})
		if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil {
			return 0
		}
		pid, _ := out["pid"].(float64)
		return int(pid)
	}
	// GET /api/server, false while nothing answers.
	serverInfo := func() (info serve.ServerInfo, ok bool) {
		resp, err := h.client.Get(h.url + "/api/server")
		if err != nil {
			return info, false
		}
		defer resp.Body.Close()
		return info, resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&info) == nil
	}
	eventually(t, "the plugin process to answer", func() bool { return pluginPID() > 0 })
	before, _ := serverInfo()
	ws := dial(t, h)
	ws.next(t, "connected", nil)

	// The plugin process crashes and is restarted: the page is told.
	h.do("POST", "/api/plugin/packaged", h.key, map[string]any{"command": "crash"})
	ws.next(t, "pluginsChanged", func(v map[string]any) bool {
		in := pluginInfo(t, h, "packaged")
		return slices.Contains(v["changed"].([]any), any("packaged")) && in.Process != nil && in.Process.Restarts == 1 && in.Enabled
	})
	eventually(t, "the restarted plugin process to answer", func() bool { return pluginPID() > 0 })
	oldPlugin := pluginPID()

	// A change that waits for a restart: the page is told, and so is GET
	// /api/server.
	writeFile(t, filepath.Join(dir, "plugins", "needy.go"), needy)
	ws.next(t, "pluginsChanged", func(v map[string]any) bool { return slices.Contains(v["changed"].([]any), any("needy")) })
	ws.next(t, "restartNeeded", func(v map[string]any) bool {
		return v["needed"] == true && slices.Equal(v["plugins"].([]any), []any{"needy"})
	})
	if info, _ := serverInfo(); !slices.Equal(info.RestartNeeded, []string{"needy"}) {
		t.Errorf("GET /api/server restart_needed %q, want needy", info.RestartNeeded)
	}
	if in := pluginInfo(t, h, "needy"); in.Enabled || !in.PendingInstall {
		t.Fatalf("needy before the restart: enabled %v, pending install %v", in.Enabled, in.PendingInstall)
	}

	// Refused without the key, or with a wrong one: nothing stops.
	apiCase{method: "POST", path: "/api/system/commands/core/restart", wantStatus: 401}.run(t, h)
	apiCase{method: "POST", path: "/api/system/commands/core/restart", key: "nope", wantStatus: 403}.run(t, h)

	restart := func(action string) serve.ServerInfo {
		t.Helper()
		old, _ := serverInfo()
		apiCase{method: "POST", path: "/api/system/commands/core/" + action, key: "good", wantStatus: http.StatusNoContent}.run(t, h)
		var info serve.ServerInfo
		eventually(t, "the server to answer again after "+action, func() bool {
			var ok bool
			info, ok = serverInfo()
			return ok && info.Instance != old.Instance
		})
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("the process exited on %s: %v", action, err)
		default:
		}
		// The same process (exec keeps the pid) wrote the run file again.
		var ri serve.RunInfo
		if err := json.Unmarshal(readFile(t, filepath.Join(dir, serve.RunFile)), &ri); err != nil || ri.PID != p.cmd.Process.Pid || ri.URL != p.url {
			t.Errorf("%s after %s: %+v (%v), want pid %d, url %s", serve.RunFile, action, ri, err, p.cmd.Process.Pid, p.url)
		}
		if !info.Started.After(old.Started) {
			t.Errorf("started %v after %s, want later than %v", info.Started, action, old.Started)
		}
		noDuplicateFiles(t, p.cmd.Process.Pid, dir)
		return info
	}

	info := restart("restart")
	m := ws.next(t, "stopping", nil)
	if m["restart"] != true || m["safe_mode"] != false {
		t.Errorf("stopping %v, want a restart, not in safe mode", m)
	}
	if err := ws.ended(t); err == nil {
		t.Error("the socket did not end with the restart")
	}
	if info.SafeMode != nil || len(info.RestartNeeded) != 0 || info.Instance == before.Instance {
		t.Errorf("after the restart: safe mode %v, restart needed %q, instance %s (was %s)", info.SafeMode, info.RestartNeeded, info.Instance, before.Instance)
	}
	// The old plugin process was stopped, a new one runs, with the same key.
	if err := syscall.Kill(oldPlugin, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the plugin process %d of the first run is still there (kill -0: %v)", oldPlugin, err)
	}
	eventually(t, "the plugin process of the new run to answer", func() bool { return pluginPID() > 0 })
	newPlugin := pluginPID()
	if newPlugin == oldPlugin {
		t.Errorf("the plugin process is still %d after the restart", newPlugin)
	}
	if in := pluginInfo(t, h, "needy"); !in.Enabled || in.NeedsRestart {
		t.Errorf("needy after the restart: enabled %v, needs restart %v; want it running", in.Enabled, in.NeedsRestart)
	}
	if strings.Count(p.stderr.String(), "API key (shown once") != 1 {
		t.Errorf("the key was made again:\n%s", p.stderr)
	}

	// A safe restart: only bundled plugins run, the plugin process is gone.
	info = restart("restart_safe")
	if info.SafeMode == nil || *info.SafeMode != serve.SafeModeSettings {
		t.Errorf("after restart_safe: safe mode %v, want %q", info.SafeMode, serve.SafeModeSettings)
	}
	if err := syscall.Kill(newPlugin, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the plugin process %d still runs in safe mode (kill -0: %v)", newPlugin, err)
	}
	if pluginPID() != 0 {
		t.Error("the process plugin answers in safe mode")
	}
	p.stop(syscall.SIGTERM) // and nothing of its process group is left
}

// noDuplicateFiles fails the test when process pid has a file of the base
// directory open twice: a descriptor of an earlier run (the log, the base
// directory's lock) that passed into this one.
func noDuplicateFiles(t *testing.T, pid int, dir string) {
	t.Helper()
	fds := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(fds)
	if err != nil {
		t.Logf("open files not checked: %v", err)
		return
	}
	seen := map[string]bool{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fds, e.Name()))
		if err != nil || !strings.HasPrefix(target, dir) {
			continue
		}
		if seen[target] {
			t.Errorf("process %d has %s open more than once: a descriptor of an earlier run leaked", pid, target)
		}
		seen[target] = true
	}
}

// pushed is a message a change must produce: its key, and what its value
// must satisfy.
type pushed struct {
	key   string
	match func(v map[string]any) bool
}

// lists reports whether v[field] is a list holding id.
func lists(field, id string) func(v map[string]any) bool {
	return func(v map[string]any) bool {
		l, _ := v[field].([]any)
		return slices.Contains(l, any(id))
	}
}

// event matches an event of that type about plugin id ("" for any).
func event(typ, id string) pushed {
	return pushed{"event", func(v map[string]any) bool {
		p, _ := v["payload"].(map[string]any)
		return v["type"] == typ && (id == "" || p["id"] == id)
	}}
}

// changed matches a pluginsChanged message that names id as changed.
func changed(id string) pushed { return pushed{"pluginsChanged", lists("changed", id)} }

// reloadFor matches a reload message for plugin id.
func reloadFor(id string) pushed { return pushed{"reload", lists("plugins", id)} }

// fresh is a source plugin whose toggle needs open pages reloaded, though
// it ships no files for them.
const fresh = `package fresh

import "github.com/tentacle-go/tentacle"

type F struct{ tentacle.Base }

func (*F) ReloadNeedingPlugin() {}

var Plugin = tentacle.Definition{Name: "Fresh", Version: "1.0.0", Implementation: &F{}}
`

// TestEveryChangeIsPushed makes each kind of change to the plugins by a
// route of its own (the API, the command line through the server, a file
// dropped into the plugins folder, plugin code failing) and expects the
// socket's clients to be told: the plain websocket and an authenticated
// SockJS client get every message, a SockJS client that did not
// authenticate only reload, restartNeeded and connected.
func TestEveryChangeIsPushed(t *testing.T) {
	h := start(t, setup{folder: true, config: "plugins:\n  _autoEnable: true\n  gone:\n    left: behind\n"})
	open, authed, guest := dial(t, h), dialTransport(t, h, sockjsWS), dialTransport(t, h, sockjsRaw)
	first := open.next(t, "connected", nil)
	authed.next(t, "connected", nil)
	guest.next(t, "connected", nil)
	authed.send(map[string]any{"auth": "_api:" + passiveLogin(t, h)})
	// A plugin message reaches a SockJS client once it authenticated:
	// from then on it gets events.
	h.do("POST", "/api/plugin/demo", h.key, map[string]any{"command": "fire", "event": "sync"})
	authed.next(t, "plugin", nil)

	pm := func(body map[string]any) {
		t.Helper()
		if r := h.do("POST", "/api/plugin/pluginmanager", h.key, body); r.status != http.StatusOK {
			t.Fatalf("Plugin Manager %v: %d %s", body, r.status, r.body)
		}
	}
	command := func(args ...string) {
		t.Helper()
		var out, errs strings.Builder
		if code := tentaclecli.Main(append([]string{"--basedir", h.dir}, args...), &out, &errs); code != 0 {
			t.Fatalf("tentacle %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errs.String())
		}
	}
	drop := func(name, content string) {
		t.Helper()
		writeFile(t, h.path("plugins", name), content)
	}
	watchedSrc := filepath.Join(t.TempDir(), "watched")
	if err := os.Mkdir(watchedSrc, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(watchedSrc, "watched.go"), fmt.Sprintf(watched, "3.0.0", "3.0.0"))
	var hashes []string // plugin_hash of each reload

	for _, c := range []struct {
		name string
		do   func()
		want []pushed
	}{
		{"disable through the API", func() { pm(map[string]any{"command": "disable", "plugin": "demo"}) },
			[]pushed{event("PluginDisabled", "demo"), changed("demo"), reloadFor("demo")}},
		{"enable through the command line", func() { command("plugins", "enable", "demo") },
			[]pushed{event("PluginEnabled", "demo"), changed("demo"), reloadFor("demo")}},
		{"settings saved through the API", func() {
			if r := h.do("POST", "/api/settings", h.key, map[string]any{"plugins": map[string]any{"demo": map[string]any{"greeting": "Hi"}}}); r.status != http.StatusOK {
				t.Fatalf("POST /api/settings: %d %s", r.status, r.body)
			}
		}, []pushed{{"event", func(v map[string]any) bool {
			p, _ := v["payload"].(map[string]any)
			hash, _ := p["config_hash"].(string)
			return v["type"] == "SettingsUpdated" && len(hash) == 32 && hash != first["config_hash"]
		}}}},
		{"a fault in plugin code", func() { h.do("POST", "/api/plugin/demo", h.key, map[string]any{"command": "panic"}) },
			[]pushed{changed("demo")}},
		{"a plugin dropped into the plugins folder", func() { drop("watched.go", fmt.Sprintf(watched, "1.0.0", "1.0.0")) },
			[]pushed{event("PluginEnabled", "watched"), changed("watched")}},
		{"a plugin that does not load", func() { drop("broken.go", "package broken\n\nfunc broken() { undefined() }\n") },
			[]pushed{changed("broken")}},
		{"a restart-needing plugin found", func() { drop("needy.go", needy) },
			[]pushed{changed("needy"), {"restartNeeded", func(v map[string]any) bool {
				return v["needed"] == true && lists("plugins", "needy")(v)
			}}}},
		{"a pending change cancelled through the command line", func() { command("plugins", "disable", "needy") },
			[]pushed{changed("needy"), {"restartNeeded", func(v map[string]any) bool { return v["needed"] == false }}}},
		{"uninstall through the API", func() { pm(map[string]any{"command": "uninstall", "plugin": "watched"}) },
			[]pushed{event("PluginUnloaded", "watched"), {"pluginsChanged", lists("removed", "watched")}}},
		{"orphan cleaned up through the API", func() { pm(map[string]any{"command": "cleanup", "plugin": "gone"}) },
			[]pushed{{"pluginsChanged", func(v map[string]any) bool {
				o, ok := v["orphans"].([]any)
				return ok && !slices.Contains(o, any("gone"))
			}}}},
		{"install through the API", func() { installWait(t, h, map[string]any{"path": watchedSrc}) },
			[]pushed{event("PluginEnabled", "watched"), changed("watched")}},
		{"a file removed from the plugins folder", func() {
			if err := os.Remove(h.path("plugins", "broken.go")); err != nil {
				t.Fatal(err)
			}
		}, []pushed{{"pluginsChanged", lists("removed", "broken")}}},
		{"a reload-needing plugin dropped into the plugins folder", func() { drop("fresh.go", fresh) },
			[]pushed{event("PluginEnabled", "fresh"), changed("fresh")}},
		{"a reload-needing plugin disabled through the API", func() { pm(map[string]any{"command": "disable", "plugin": "fresh"}) },
			[]pushed{changed("fresh"), reloadFor("fresh")}},
		{"and enabled again through the command line", func() { command("plugins", "enable", "fresh") },
			[]pushed{changed("fresh"), reloadFor("fresh")}},
		{"disable through the command line", func() { command("plugins", "disable", "demo") },
			[]pushed{event("PluginDisabled", "demo"), changed("demo"), reloadFor("demo")}},
	} {
		c.do()
		for _, w := range c.want {
			for _, s := range []*socket{open, authed, guest} {
				if s == guest && w.key != "reload" && w.key != "restartNeeded" {
					continue
				}
				v := s.next(t, w.key, w.match)
				if w.key == "reload" && s == open && lists("plugins", "demo")(v) {
					hashes = append(hashes, v["plugin_hash"].(string))
				}
			}
		}
		t.Logf("%s: pushed", c.name)
	}

	// OctoPrint's way beside the push: a page that reconnects compares the
	// connected message's plugin_hash with the one it loaded with.
	if len(hashes) != 3 || hashes[0] == first["plugin_hash"] || hashes[1] != first["plugin_hash"] || hashes[2] != hashes[0] {
		t.Errorf("plugin hashes of the reloads %q, first %v: want demo's disable to change it and its enable to change it back", hashes, first["plugin_hash"])
	}
	if now := dial(t, h).next(t, "connected", nil); now["plugin_hash"] != hashes[2] {
		t.Errorf("connected plugin_hash %v, want the last reload's %s", now["plugin_hash"], hashes[2])
	}
	// The guest got its last reload; everything before it was delivered,
	// and none of it was an event or a listing's change.
	for _, m := range guest.kept {
		if m["event"] != nil || m["pluginsChanged"] != nil {
			t.Errorf("a client that did not authenticate got %v", m)
		}
	}
}
