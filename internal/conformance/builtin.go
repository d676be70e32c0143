package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/another_ordered_hook_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/asset_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/bad_compat"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/helper_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/hidden_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/hook_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/incompatible_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/lifecycle"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/migrating_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/mixed_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/obsolete_hook_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/one_ordered_hook_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/overlay_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/reload_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/restart_hook_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/restart_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/settings_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/startup_plugin"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/unknown_hook"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/versioned"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/wrong_hook_type"
	"github.com/tentacle-go/tentacle/internal/conformance/testdata/plugins/zero_order_plugin"
	"github.com/tentacle-go/tentacle/tier"
)

// fixtures are the compiled-in fixture definitions; nil for not_a_plugin.
var fixtures = map[string]*tentacle.Definition{
	"another_ordered_hook_plugin": &another_ordered_hook_plugin.Plugin,
	"asset_plugin":                &asset_plugin.Plugin,
	"bad_compat":                  &bad_compat.Plugin,
	"helper_plugin":               &helper_plugin.Plugin,
	"hidden_plugin":               &hidden_plugin.Plugin,
	"hook_plugin":                 &hook_plugin.Plugin,
	"incompatible_plugin":         &incompatible_plugin.Plugin,
	"lifecycle":                   &lifecycle.Plugin,
	"migrating_plugin":            &migrating_plugin.Plugin,
	"mixed_plugin":                &mixed_plugin.Plugin,
	"not_a_plugin":                nil,
	"obsolete_hook_plugin":        &obsolete_hook_plugin.Plugin,
	"one_ordered_hook_plugin":     &one_ordered_hook_plugin.Plugin,
	"overlay_plugin":              &overlay_plugin.Plugin,
	"reload_plugin":               &reload_plugin.Plugin,
	"restart_hook_plugin":         &restart_hook_plugin.Plugin,
	"restart_plugin":              &restart_plugin.Plugin,
	"settings_plugin":             &settings_plugin.Plugin,
	"startup_plugin":              &startup_plugin.Plugin,
	"unknown_hook":                &unknown_hook.Plugin,
	"versioned":                   &versioned.Plugin,
	"wrong_hook_type":             &wrong_hook_type.Plugin,
	"zero_order_plugin":           &zero_order_plugin.Plugin,
}

func builtinDefs(t testing.TB, names ...string) map[string]*tentacle.Definition {
	t.Helper()
	defs := make(map[string]*tentacle.Definition, len(names))
	for _, name := range names {
		def, ok := fixtures[name]
		if !ok {
			t.Fatalf("no fixture %q", name)
		}
		defs[name] = def
	}
	return defs
}

// Builtin returns the adapter of the builtin tier: fixtures compiled into
// the test binary.
func Builtin() Tier { return builtinTier{} }

type builtinTier struct{}

func (builtinTier) Name() string { return tier.BuiltinTier }

func (builtinTier) Source(t testing.TB, names ...string) tier.Source {
	return &removableSource{Source: tier.Definitions("conformance", false, builtinDefs(t, names...))}
}

// removableSource gives compiled-in candidates a Remove, which compiled-in
// code cannot really have: it records the removal and stops listing them.
type removableSource struct {
	tier.Source
	mu      sync.Mutex
	removed map[string]bool
}

func (s *removableSource) Scan(ctx context.Context) ([]tier.Candidate, error) {
	cands, err := s.Source.Scan(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := cands[:0]
	for _, c := range cands {
		if s.removed[c.ID] {
			continue
		}
		id := c.ID
		c.Location = fmt.Sprintf("builtin:%s", id)
		c.Remove = func() error {
			if err := probe.Fault(id, "remove"); err != nil {
				return err
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.removed == nil {
				s.removed = make(map[string]bool)
			}
			s.removed[id] = true
			return nil
		}
		out = append(out, c)
	}
	return out, err
}
