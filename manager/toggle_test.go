package manager_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// A plugin that can never run (no plugin definition, or one its source
// cannot read) cannot be disabled: its enable is refused, so nothing could
// take it out of plugins._disabled again. One an older version put there
// is taken out by an enable, which still says why it cannot run.
func TestNeverRunnableToggle(t *testing.T) {
	tests := []struct {
		id     string
		reason string
	}{
		{"nodef", "no plugin definition"},
		{"Bad-Name", `invalid identifier "Bad-Name"`},
	}
	for _, tt := range tests {
		for _, started := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/started=%v", tt.id, started), func(t *testing.T) {
				ctx := context.Background()
				path := filepath.Join(t.TempDir(), "config.yaml")
				config := fmt.Sprintf("plugins:\n  _disabled: [other, %s]\n", tt.id)
				if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
					t.Fatal(err)
				}
				store, err := settings.Open(path, nil)
				if err != nil {
					t.Fatal(err)
				}
				m, err := manager.New(manager.Options{
					Origins: []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{
						"nodef":    nil,
						"Bad-Name": {},
						"other":    {},
					})},
					Settings: store,
					Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = m.Shutdown(context.Background()) })
				if started {
					_ = m.Start(ctx) // the never-runnable plugins fail their gates
				} else {
					_ = m.Load(ctx)
				}
				disabled := func() []string {
					t.Helper()
					st, err := settings.Open(path, nil)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					list, _ := st.Get("plugins._disabled").([]any)
					for _, v := range list {
						ids = append(ids, fmt.Sprint(v))
					}
					return ids
				}

				wantRefusedDisable := func() {
					t.Helper()
					ch, err := m.Disable(ctx, tt.id)
					var le *manager.LifecycleError
					if !errors.As(err, &le) || le.Phase != manager.PhaseGate || !errors.Is(err, manager.ErrNotToggleable) ||
						!strings.Contains(err.Error(), tt.reason) || ch.Persisted {
						t.Errorf("Disable = %+v, %v; want a gate error naming %q, nothing persisted", ch, err, tt.reason)
					}
				}
				wantRefusedDisable()
				if got := disabled(); !slices.Equal(got, []string{"other", tt.id}) {
					t.Errorf("plugins._disabled after the refused disable = %q", got)
				}

				ch, err := m.Enable(ctx, tt.id)
				if !errors.Is(err, manager.ErrGated) || !strings.Contains(err.Error(), tt.reason) ||
					!strings.HasSuffix(err.Error(), " (removed from plugins._disabled)") || !ch.Persisted {
					t.Errorf("Enable = %+v, %v; want persisted and a gate error naming %q and the removal", ch, err, tt.reason)
				}
				if got := disabled(); !slices.Equal(got, []string{"other"}) {
					t.Errorf("plugins._disabled after the enable = %q, want [other]", got)
				}
				if in, _ := m.Info(tt.id); in.ForcedDisabled || strings.Contains(in.Reason, "_disabled") {
					t.Errorf("listing after the enable: forced_disabled=%v reason=%q", in.ForcedDisabled, in.Reason)
				}

				// Out of the list, it stays out; an enable changes nothing.
				wantRefusedDisable()
				ch, err = m.Enable(ctx, tt.id)
				if !errors.Is(err, manager.ErrGated) || strings.Contains(err.Error(), "removed") || ch.Persisted {
					t.Errorf("second Enable = %+v, %v; want a gate error and nothing persisted", ch, err)
				}
				if got := disabled(); !slices.Equal(got, []string{"other"}) {
					t.Errorf("plugins._disabled at the end = %q, want [other]", got)
				}
			})
		}
	}
}

// Generation grows with every lifecycle operation and every fault, and
// stays as it is while nothing happens.
func TestGeneration(t *testing.T) {
	ctx := context.Background()
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{"p": {Implementation: &tentacle.Base{}}})},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown(context.Background()) })
	g0 := m.Generation()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	g1 := m.Generation()
	if g1 <= g0 || m.Generation() != g1 {
		t.Fatalf("generation %d before Start, %d after, %d read again", g0, g1, m.Generation())
	}
	if _, err := m.Disable(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	g2 := m.Generation()
	if g2 <= g1 {
		t.Errorf("generation %d after a disable, was %d", g2, g1)
	}
	m.RecordPanic("p", "a test", "on purpose")
	if g3 := m.Generation(); g3 <= g2 {
		t.Errorf("generation %d after a fault, was %d", g3, g2)
	}
}
