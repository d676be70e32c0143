package cli

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/tentacle-go/tentacle"
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
