package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// Offline, plugins hooks shows what the server would run: a plugin with a
// handler the server refuses (a hook nobody declared) is left out whole,
// since its enable fails.
func TestOfflineHooksLeaveOutRefusedPlugins(t *testing.T) {
	fn := func() {}
	defs := map[string]*tentacle.Definition{
		"good": {Hooks: tentacle.Hooks{"tentacle.plugin.good.ready": fn}},
		"half": {Hooks: tentacle.Hooks{"tentacle.plugin.good.ready": tentacle.Hook(fn, 1), "tentacle.nobody.declared": fn}},
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("test", true, defs)},
		Settings: settings.New(nil),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := &offline{mgr: m}
	hs, err := env.hooks(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := hs["tentacle.plugin.good.ready"]
	if len(got) != 1 || got[0].Plugin != "good" || len(hs) != 1 {
		t.Errorf("hooks = %+v, want only good's handler", hs)
	}
}

// Offline, one hook by name is known as the server knows it: when a plugin
// that would run handles it or the host declares it; any other is an
// error naming the hook, as the server's 404.
func TestOfflineHookByName(t *testing.T) {
	defs := map[string]*tentacle.Definition{
		"good": {Hooks: tentacle.Hooks{"tentacle.plugin.good.ready": func() {}}},
		"off":  {Hooks: tentacle.Hooks{"tentacle.plugin.off.ready": func() {}}},
	}
	st := settings.New(nil)
	if err := st.Set("plugins._disabled", []any{"off"}); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("test", true, defs)},
		Settings: st,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Hooks().Declare(hooks.Spec{Name: "tentacle.host.declared"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := &offline{mgr: m}
	tests := []struct {
		name     string
		handlers int
		unknown  bool
	}{
		{"tentacle.plugin.good.ready", 1, false},
		{"tentacle.host.declared", 0, false},
		{"tentacle.plugin.off.ready", 0, true}, // only a disabled plugin handles it
		{"tentacle.no.such.hook", 0, true},
	}
	for _, tt := range tests {
		hs, err := env.hooks(context.Background(), tt.name)
		if tt.unknown {
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("hook %q: unknown hook", tt.name)) {
				t.Errorf("hooks(%q) = %v, %v; want an unknown-hook error naming it", tt.name, hs, err)
			}
			continue
		}
		if ex, ok := hs[tt.name]; err != nil || !ok || len(ex) != tt.handlers || len(hs) != 1 {
			t.Errorf("hooks(%q) = %v, %v; want only it, with %d handlers", tt.name, hs, err, tt.handlers)
		}
	}
}
