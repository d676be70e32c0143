package process_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestFilter runs a process plugin whose G-code handler is under
// OctoPrint's name of the hook and carries a filter: the host registers it
// under the hook's name with the filter decoded into the hook's filter
// type; a filter that does not decode into the host's type fails the load.
func TestFilter(t *testing.T) {
	tests := []struct {
		name   string
		filter reflect.Type
		err    string // in the plugin's error; empty: enabled
	}{
		{"decodes", reflect.TypeFor[server.Filter](), ""},
		{"does not decode", reflect.TypeFor[struct{ Commands int }](), `hook "octoprint.comm.protocol.gcode.sending": filter: does not decode`},
		{"no filter type", nil, "filter: the hook takes no filters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			pkgs := filepath.Join(base, "packages")
			install(t, pkgs, "filtered", "filtered")
			m, err := manager.New(manager.Options{
				Origins:  []tier.Origin{process.New(pkgs, process.Options{})},
				BaseDir:  base,
				Settings: settings.New(nil),
				Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			var spec hooks.Spec
			for _, s := range server.Hooks() {
				if s.Name == server.HookGcodeSending {
					spec = s
				}
			}
			spec.Filter = tt.filter
			h := hooks.MustDeclare[server.GcodeHook](m.Hooks(), spec)
			ctx := context.Background()
			startErr := m.Start(ctx)
			defer m.Shutdown(ctx)
			in, _ := m.Info("filtered")
			if tt.err != "" {
				if in.Enabled || startErr == nil || !strings.Contains(startErr.Error(), `plugin "filtered"`) || !strings.Contains(startErr.Error(), tt.err) {
					t.Errorf("enabled %v, Start: %v; want an error with %q", in.Enabled, startErr, tt.err)
				}
				return
			}
			if startErr != nil || !in.Enabled {
				t.Fatalf("enabled %v, Start: %v", in.Enabled, startErr)
			}
			if got := m.Hooks().PluginHooks("filtered"); !slices.Equal(got, []string{server.HookGcodeSending}) {
				t.Errorf("hooks = %q, want the tentacle name", got)
			}
			hs := h.Handlers()
			if len(hs) != 1 || hs[0].Order != 5 {
				t.Fatalf("handlers = %+v", hs)
			}
			if f, ok := hs[0].Filter.(server.Filter); !ok || !slices.Equal(f.Commands, []string{"M107"}) {
				t.Errorf("filter = %#v, want server.Filter{Commands: [M107]}", hs[0].Filter)
			}
			if got := hs[0].Fn(server.PhaseSending, server.Command{Line: "M107", Gcode: "M107"}); len(got) != 1 || got[0].Line != "M106 S0" {
				t.Errorf("the handler returned %+v", got)
			}
		})
	}
}
