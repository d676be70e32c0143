package manager_test

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

// Options.Blocked is asked at discovery for each plugin that is not
// bundled; a plugin it blocks is listed blocklisted with its reason and
// does not run.
func TestBlockedOption(t *testing.T) {
	blocked := map[string]string{"bad": "1.0.0", "core": "1.0.0"}
	var asked []string
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{
			tier.Definitions("extra", false, map[string]*tentacle.Definition{
				"bad":  {Name: "Bad", Version: "1.0.0"},
				"good": {Name: "Good", Version: "1.0.0"},
			}),
			tier.Definitions("bundled", true, map[string]*tentacle.Definition{"core": {Name: "Core", Version: "1.0.0"}}),
		},
		Settings: settings.New(nil),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Blocked: func(id, version string) (string, bool) {
			asked = append(asked, id)
			if blocked[id] == version {
				return "blocklisted by the repository: it corrupts prints", true
			}
			return "", false
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)
	for _, c := range []struct {
		id      string
		blocked bool
	}{{"bad", true}, {"good", false}, {"core", false}} {
		in, _ := m.Info(c.id)
		if in.Blocklisted != c.blocked || in.Enabled == c.blocked {
			t.Errorf("%s: blocklisted %v, enabled %v; want blocklisted %v", c.id, in.Blocklisted, in.Enabled, c.blocked)
		}
		if c.blocked && in.Reason != "blocklisted by the repository: it corrupts prints" {
			t.Errorf("%s: reason %q", c.id, in.Reason)
		}
	}
	for _, id := range asked {
		if id == "core" {
			t.Error("a bundled plugin was asked about")
		}
	}
	if len(asked) != 2 {
		t.Errorf("asked about %v; want bad and good once each", asked)
	}
}
