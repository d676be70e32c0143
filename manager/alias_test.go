package manager_test

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// codes is a filter type a host declares for its hooks.
type codes struct{ Codes []string }

// TestAliasAndFilter enables plugins whose handlers name hooks by their
// aliases and carry filters: they are registered under the hooks' names,
// with their filters, and a restart-needing hook named by its alias makes
// its plugin restart-needing; a filter the hook does not take fails the
// enable.
func TestAliasAndFilter(t *testing.T) {
	plugins := map[string]*tentacle.Definition{
		"byalias": {Name: "By alias", Version: "1.0.0", Hooks: tentacle.Hooks{
			"old.line.sending": tentacle.HookHandler{Func: GcodeSendingHook(strings.ToUpper), Order: 3, Filter: &codes{Codes: []string{"M107"}}},
		}},
		"byname": {Name: "By name", Version: "1.0.0", Hooks: tentacle.Hooks{
			"host.line.sending": strings.ToLower,
		}},
		"routes": {Name: "Routes", Version: "1.0.0", Hooks: tentacle.Hooks{
			"old.routes": func() {},
		}},
		"badfilter": {Name: "Bad filter", Version: "1.0.0", Hooks: tentacle.Hooks{
			"old.routes": tentacle.HookHandler{Func: func() {}, Filter: codes{}},
		}},
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("test", false, plugins)},
		Settings: settings.New(nil),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	sending := hooks.MustDeclare[GcodeSendingHook](m.Hooks(), hooks.Spec{
		Name: "host.line.sending", Aliases: []string{"old.line.sending"}, Filter: reflect.TypeFor[codes](),
	})
	if err := m.Hooks().Declare(hooks.Spec{
		Name: "host.routes", Type: reflect.TypeFor[func()](), Aliases: []string{"old.routes"}, RestartNeeding: true,
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err == nil || !strings.Contains(err.Error(), `plugin "badfilter": register: hook "old.routes": wrong filter`) {
		t.Fatalf("Start: %v, want the error of badfilter", err)
	}
	defer m.Shutdown(ctx)

	if got := m.Hooks().PluginHooks("byalias"); !slices.Equal(got, []string{"host.line.sending"}) {
		t.Errorf("PluginHooks(byalias) = %v, want the hook's name", got)
	}
	hs := sending.Handlers()
	if len(hs) != 2 || hs[0].Plugin != "byalias" || hs[1].Plugin != "byname" {
		t.Fatalf("handlers = %+v", hs)
	}
	if f, ok := hs[0].Filter.(codes); !ok || !slices.Equal(f.Codes, []string{"M107"}) {
		t.Errorf("byalias's filter = %#v, want codes{M107}", hs[0].Filter)
	}
	if hs[1].Filter != nil {
		t.Errorf("byname's filter = %#v, want nil", hs[1].Filter)
	}
	if e := m.Hooks().Handlers("old.line.sending"); len(e) != 2 || e[0].Filter == nil {
		t.Errorf("Handlers by alias = %+v", e)
	}

	in, _ := m.Info("routes")
	if !in.Enabled || !slices.Equal(in.RestartNeeding, []string{"has a handler for hook host.routes"}) {
		t.Errorf("routes: enabled %v, restart needing %q", in.Enabled, in.RestartNeeding)
	}
	in, _ = m.Info("badfilter")
	if in.Enabled || in.Error == nil || !strings.Contains(in.Error.Message, "takes no filters") {
		t.Errorf("badfilter: enabled %v, error %+v, want one for the filter", in.Enabled, in.Error)
	}
}
