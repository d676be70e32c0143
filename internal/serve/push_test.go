package serve_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tentaclecli "github.com/tentacle-go/tentacle/internal/cli"
)

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
