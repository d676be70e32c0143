package manager_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// origins serves defs as a host's origins would: those in isolated from
// an origin that isolates its plugins (tier.Isolating, as the process
// tier's does), after the others, from a plain one; every load is passed
// through load first. defs may change later (a rescan sees it).
func origins(defs map[string]*tentacle.Definition, isolated map[string]bool, load func(id string, isolated bool) error) []tier.Origin {
	all := tier.Definitions("test", false, defs)
	return []tier.Origin{
		loadingOrigin{Origin: all, isolated: isolated, want: false, load: load},
		isolatingOrigin{loadingOrigin{Origin: all, isolated: isolated, want: true, load: load}},
	}
}

// loadingOrigin provides the plugins of Origin whose isolated entry is
// want.
type loadingOrigin struct {
	tier.Origin
	isolated map[string]bool
	want     bool
	load     func(id string, isolated bool) error
}

func (s loadingOrigin) Scan(ctx context.Context) ([]tier.Candidate, error) {
	cands, err := s.Origin.Scan(ctx)
	var out []tier.Candidate
	for _, c := range cands {
		if s.isolated[c.ID] != s.want {
			continue
		}
		id, inner, iso := c.ID, c.Load, s.want
		c.Load = func(ctx context.Context, env tier.Env) (tier.Instance, error) {
			if err := s.load(id, iso); err != nil {
				return nil, err
			}
			return inner(ctx, env)
		}
		out = append(out, c)
	}
	return out, err
}

// isolatingOrigin is a loadingOrigin that isolates its plugins.
type isolatingOrigin struct{ loadingOrigin }

func (isolatingOrigin) IsolatesPlugins() {}

var _ tier.Isolating = isolatingOrigin{}

// TestIsolatedImportsRunSideBySide: at start, the imports of isolated
// plugins run side by side (here each waits until all have begun, which
// only happens when they overlap), the others one at a time; Check and
// Load still run one plugin after another, in order; an import that fails
// fails only its plugin.
func TestIsolatedImportsRunSideBySide(t *testing.T) {
	var mu sync.Mutex
	var loads []string
	defs := map[string]*tentacle.Definition{}
	for _, id := range []string{"a", "b", "broken", "c", "d", "e"} {
		defs[id] = &tentacle.Definition{Name: id, Load: func() error {
			mu.Lock()
			defer mu.Unlock()
			loads = append(loads, id)
			return nil
		}}
	}
	isolated := map[string]bool{"a": true, "broken": true, "c": true, "e": true}
	var begun, inFlight, maxInFlight int
	allBegun := make(chan struct{})
	srcs := origins(defs, isolated, func(id string, iso bool) error {
		mu.Lock()
		if !iso {
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
			mu.Unlock()
			time.Sleep(time.Millisecond) // room for another to overlap, were it allowed to
			mu.Lock()
			inFlight--
			mu.Unlock()
			return nil
		}
		begun++
		if begun == len(isolated) {
			close(allBegun)
		}
		mu.Unlock()
		select {
		case <-allBegun:
		case <-time.After(10 * time.Second): // a guard against a hang only
			return errors.New("the isolated imports did not run side by side")
		}
		if id == "broken" {
			return errors.New("no handshake")
		}
		return nil
	})
	m, err := manager.New(manager.Options{Origins: srcs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Start(context.Background())
	defer m.Shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no handshake") {
		t.Errorf("Start: %v; want broken's import error", err)
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if in, _ := m.Info(id); !in.Enabled || in.Error != nil {
			t.Errorf("%s: enabled %v, error %+v", id, in.Enabled, in.Error)
		}
	}
	if in, _ := m.Info("broken"); in.Enabled || in.Error == nil || in.Error.Phase != manager.PhaseImport || !strings.Contains(in.Error.Message, "no handshake") {
		t.Errorf("broken: enabled %v, error %+v; want its import error", in.Enabled, in.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	// In discovery order: the plain origin's plugins, then the isolating one's.
	if want := []string{"b", "d", "a", "c", "e"}; !slices.Equal(loads, want) {
		t.Errorf("Load callbacks in the order %q, want %q", loads, want)
	}
	if maxInFlight != 1 {
		t.Errorf("%d imports of plugins that are not isolated ran at once, want 1", maxInFlight)
	}
}

// TestTraceSaysIsolated: the host's Trace learns which plugins run apart
// from its process (the tentacle server keeps them off its start marker).
func TestTraceSaysIsolated(t *testing.T) {
	defs := map[string]*tentacle.Definition{
		"apart":  {Name: "apart", Load: func() error { return nil }},
		"inside": {Name: "inside", Load: func() error { return nil }},
	}
	srcs := origins(defs, map[string]bool{"apart": true}, func(string, bool) error { return nil })
	var mu sync.Mutex
	isolated := map[string][]bool{}
	m, err := manager.New(manager.Options{
		Origins: srcs,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Trace: func(ev manager.TraceEvent) {
			mu.Lock()
			defer mu.Unlock()
			isolated[ev.Plugin] = append(isolated[ev.Plugin], ev.Isolated)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, want := range map[string]bool{"apart": true, "inside": false} {
		evs := isolated[id]
		if len(evs) == 0 {
			t.Errorf("no trace events of %s", id)
		}
		for _, got := range evs {
			if got != want {
				t.Errorf("%s: a trace event says isolated %v, want %v", id, got, want)
				break
			}
		}
	}
}

// TestIsolatedImportsSideBySideAtRescan: isolated plugins found together
// while the manager runs (with plugins._autoEnable) are imported side by
// side too.
func TestIsolatedImportsSideBySideAtRescan(t *testing.T) {
	defs := map[string]*tentacle.Definition{}
	var mu sync.Mutex
	begun := 0
	allBegun := make(chan struct{})
	srcs := origins(defs, map[string]bool{"x": true, "y": true, "z": true}, func(id string, iso bool) error {
		mu.Lock()
		begun++
		if begun == 3 {
			close(allBegun)
		}
		mu.Unlock()
		select {
		case <-allBegun:
			return nil
		case <-time.After(10 * time.Second): // a guard against a hang only
			return errors.New("the isolated imports did not run side by side")
		}
	})
	store := settings.New(nil)
	if err := store.Set("plugins._autoEnable", true); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{Origins: srcs, Settings: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	for _, id := range []string{"x", "y", "z"} {
		defs[id] = &tentacle.Definition{Name: id}
	}
	res, err := m.Rescan(context.Background())
	if err != nil || len(res.Added) != 3 {
		t.Fatalf("rescan: %+v, %v", res, err)
	}
	for _, id := range []string{"x", "y", "z"} {
		if in, _ := m.Info(id); !in.Enabled {
			t.Errorf("%s: enabled %v, error %+v", id, in.Enabled, in.Error)
		}
	}
}
