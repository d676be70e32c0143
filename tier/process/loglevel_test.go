package process_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/tentacle-go/tentacle/internal/loglevel"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// say calls the levels plugin's helper say(n): it logs a debug and an info
// record numbered n, and answers whether the plugin's logger takes debug
// records. It reports that, and which of the records reached the host's
// log.
func say(t *testing.T, h *testHost, n int) (pluginDebug, debug, info bool) {
	t.Helper()
	fn, ok := h.m.PluginManager().Helpers("levels", "say")["say"].(wire.RemoteFunc)
	if !ok {
		t.Fatal("no helper say")
	}
	res, err := fn(n)
	if err != nil {
		t.Fatalf("say(%d): %v", n, err)
	}
	pluginDebug = len(res) == 1 && string(res[0]) == "true"
	// The plugin writes its records before it answers, but the host reads
	// them from another pipe: wait for the info record, written last.
	h.waitFor(fmt.Sprintf("info record %d", n), func() bool { return h.logs.has("say info", n) })
	return pluginDebug, h.logs.has("say debug", n), true
}

// A plugin process is told the level of its logger on the host when it
// starts, and again whenever the level changes: it does not send the
// records the host would drop, and its debug records reach the log only
// once its level is DEBUG.
func TestLogLevelReachesTheProcess(t *testing.T) {
	const logger = "tentacle.plugins.levels"
	t.Run("at the start", func(t *testing.T) {
		reg := loglevel.NewRegistry(slog.LevelInfo)
		reg.Replace(map[string]slog.Level{logger: slog.LevelDebug})
		h := newHost(t, hostConfig{plugins: map[string]string{"levels": "levels"}, levels: reg})
		if pluginDebug, debug, _ := say(t, h, 1); !pluginDebug || !debug {
			t.Errorf("level DEBUG before the start: the plugin takes debug records %v, the log has its debug record %v; want both", pluginDebug, debug)
		}
	})
	t.Run("changed while it runs", func(t *testing.T) {
		reg := loglevel.NewRegistry(slog.LevelInfo)
		h := newHost(t, hostConfig{plugins: map[string]string{"levels": "levels"}, levels: reg})
		if pluginDebug, debug, _ := say(t, h, 1); pluginDebug || debug {
			t.Errorf("level INFO: the plugin takes debug records %v, the log has its debug record %v; want neither", pluginDebug, debug)
		}
		reg.Replace(map[string]slog.Level{"tentacle.plugins": slog.LevelDebug})
		n := 1
		h.waitFor("the plugin told DEBUG", func() bool {
			n++
			pluginDebug, _, _ := say(t, h, n)
			return pluginDebug
		})
		if _, debug, _ := say(t, h, 100); !debug {
			t.Errorf("level DEBUG: the debug record did not reach the log")
		}
		reg.Replace(nil)
		n = 100
		h.waitFor("the plugin told INFO", func() bool {
			n++
			pluginDebug, _, _ := say(t, h, n)
			return !pluginDebug
		})
		if _, debug, _ := say(t, h, 200); debug {
			t.Errorf("level INFO again: the debug record reached the log")
		}
	})
}
