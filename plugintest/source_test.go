package plugintest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/server"
)

// TestNewSource runs source plugins from their files through the source
// tier's interpreter: a folder plugin with a file of its own and a test
// file (left out), a one-file plugin, and one whose Initialize fails.
func TestNewSource(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		dir   string
		opts  plugintest.Options
		check func(t *testing.T, h *plugintest.Harness)
	}{
		{
			name: "folder",
			id:   "greeter",
			dir:  "testdata/source/greeter",
			opts: plugintest.Options{
				Config:  "plugins:\n  greeter:\n    greeting: hi\n",
				Declare: declare,
				Mixins:  server.Mixins(),
			},
			check: func(t *testing.T, h *plugintest.Harness) {
				in := h.Info()
				if err := h.Err(); err != nil || !in.Enabled || in.Tier != "source" || in.Name != "Greeter" {
					t.Fatalf("err %v, listing %+v", err, in)
				}
				greet, ok := h.Helper("greet").(func(string) string)
				if !ok {
					t.Fatalf("greet helper has type %T", h.Helper("greet"))
				}
				if got := greet("Ada"); got != "hi, Ada" {
					t.Errorf("greet = %q", got)
				}
				if hs := h.Handlers("test.rewrite"); len(hs) != 1 || hs[0].Order != 5 {
					t.Errorf("handlers = %+v", hs)
				}
				p, _ := h.Manager.Plugin(h.ID)
				api, ok := manager.As[server.SimpleAPI](p)
				if !ok {
					t.Fatal("the simple API is not reached")
				}
				res, err := api.OnAPICommand("greet", map[string]any{"name": "Bo"})
				if got, _ := res.(map[string]any); err != nil || got["text"] != "hi, Bo" {
					t.Errorf("greet command: %v, %v", res, err)
				}
				if !h.Logged("ready", "greeting=hi", `motto="Be kind."`, "plugin=greeter") {
					t.Errorf("log does not show Initialize with the plugin's own file:\n%s", h.Logs())
				}
				if _, err := h.Disable(); err != nil || h.Helper("greet") != nil {
					t.Errorf("disable: %v", err)
				}
			},
		},
		{
			name: "one file",
			id:   "single",
			dir:  "testdata/source/single.go",
			check: func(t *testing.T, h *plugintest.Harness) {
				twice, ok := h.Helper("twice").(func(int) int)
				if err := h.Err(); err != nil || !ok || twice(21) != 42 {
					t.Fatalf("err %v, twice %T", err, h.Helper("twice"))
				}
			},
		},
		{
			name: "initialize fails",
			id:   "failing",
			dir:  "testdata/source/failing",
			check: func(t *testing.T, h *plugintest.Harness) {
				var le *manager.LifecycleError
				if !errors.As(h.Err(), &le) || !strings.Contains(le.Error(), "no printer attached") || h.Info().Enabled {
					t.Fatalf("Err() = %v, want the plugin's Initialize error", h.Err())
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, plugintest.NewSource(t, tt.id, tt.dir, tt.opts))
		})
	}
}
