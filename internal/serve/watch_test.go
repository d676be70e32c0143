package serve_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const watched = `package watched

import (
	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

type W struct{ tentacle.Base }

func (w *W) APICommands() map[string][]string { return map[string][]string{"version": nil} }

func (w *W) OnAPICommand(command string, data map[string]any) (any, error) {
	return map[string]any{"version": %q}, nil
}

var _ server.SimpleAPI = (*W)(nil)

var Plugin = tentacle.Definition{Name: "Watched", Version: %q, Implementation: &W{}}
`

// Dropping a Go file into <basedir>/plugins while the server runs makes a
// plugin appear (enabled with plugins._autoEnable), changing it reloads
// it, removing it unloads it: no restart.
func TestPluginsFolderIsWatched(t *testing.T) {
	h := start(t, setup{folder: true, config: "plugins:\n  _autoEnable: true\n"})
	file := filepath.Join(h.dir, "plugins", "watched.go")
	put := func(version string) {
		t.Helper()
		src := []byte(fmt.Sprintf(watched, version, version))
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	answer := func() []byte {
		return h.do("POST", "/api/plugin/watched", h.key, map[string]any{"command": "version"}).body
	}
	put("1.0.0")
	defer func() {
		if t.Failed() {
			t.Logf("listing: %+v\nlog:\n%s", listing(t, h).Plugins, readFile(t, h.path("logs/tentacle.log")))
		}
	}()
	eventually(t, "the new plugin enabled", func() bool { return bytes.Contains(answer(), []byte(`"1.0.0"`)) })
	put("2.0.0")
	eventually(t, "the changed plugin reloaded", func() bool { return bytes.Contains(answer(), []byte(`"2.0.0"`)) })
	if in := pluginInfo(t, h, "watched"); in.Version != "2.0.0" || in.Tier != "source" {
		t.Errorf("listing: version %q tier %q", in.Version, in.Tier)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed plugin gone", func() bool {
		for _, in := range listing(t, h).Plugins {
			if in.Key == "watched" {
				return false
			}
		}
		return true
	})
}
