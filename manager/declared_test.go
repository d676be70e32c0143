package manager_test

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// Widgeter is a host mixin of the test's that is restart-needing.
type Widgeter interface {
	Widget() string
	Gadget()
}

// declaredOrigin provides candidates described only by what they declare;
// none can be loaded.
type declaredOrigin map[string]*tier.Declaration

func (o declaredOrigin) Name() string { return "declared" }

func (o declaredOrigin) Scan(context.Context) ([]tier.Candidate, error) {
	var out []tier.Candidate
	for id, d := range o {
		out = append(out, tier.Candidate{ID: id, Origin: "declared", Tier: tier.SourceTier, Declares: func() *tier.Declaration { return d }})
	}
	return out, nil
}

// TestDeclaredRestartNeeding lists plugins that were not loaded
// (plugins._disabled) as restart-needing from what they declare, judged
// with the host's mixin descriptors and hook registry, in the words and
// order a loaded plugin's reasons have; and as unknown (not as "no") when
// a part that could make them restart-needing is not known.
func TestDeclaredRestartNeeding(t *testing.T) {
	widgeter := tentacle.Mixin{Type: reflect.TypeFor[Widgeter](), RestartNeeding: true}
	var allChecked []string
	for _, mx := range append(tentacle.Mixins(), widgeter) {
		allChecked = append(allChecked, mx.Name())
	}
	known := func(d tier.Declaration) *tier.Declaration {
		d.HooksKnown, d.MethodsKnown, d.SettingsOverlayKnown = true, true, true
		return &d
	}
	tests := []struct {
		id      string
		d       *tier.Declaration
		want    []string
		unknown bool
	}{
		{id: "nothing_known", d: nil, want: []string{}, unknown: true},
		{id: "nothing_declared", d: known(tier.Declaration{}), want: []string{}},
		{id: "marker_method", d: known(tier.Declaration{Methods: []string{"Initialize", "RestartNeedingPlugin"}}),
			want: []string{"implements tentacle.RestartNeeding"}},
		{id: "host_mixin_methods", d: known(tier.Declaration{Methods: []string{"Gadget", "Widget"}}),
			want: []string{"implements manager_test.Widgeter"}},
		{id: "host_mixin_half", d: known(tier.Declaration{Methods: []string{"Widget"}}), want: []string{}},
		{id: "methods_unknown", d: &tier.Declaration{Methods: []string{"Initialize"}, HooksKnown: true, SettingsOverlayKnown: true},
			want: []string{}, unknown: true},
		{id: "mixin_by_name", d: &tier.Declaration{Mixins: []string{"tentacle.RestartNeeding"}},
			want: []string{"implements tentacle.RestartNeeding"}},
		{id: "host_mixin_not_checked", d: &tier.Declaration{Mixins: []string{}, MixinsChecked: allChecked[:len(allChecked)-1],
			HooksKnown: true, SettingsOverlayKnown: true}, want: []string{}, unknown: true},
		{id: "all_mixins_checked", d: &tier.Declaration{Mixins: []string{"tentacle.Initializer"}, MixinsChecked: allChecked,
			HooksKnown: true, SettingsOverlayKnown: true}, want: []string{}},
		{id: "restart_hook", d: known(tier.Declaration{Hooks: []string{"host.other", "host.restart.b", "host.declared", "host.restart.a"}}),
			want: []string{"has a handler for hook host.declared", "has a handler for hook host.restart.a", "has a handler for hook host.restart.b"}},
		{id: "hooks_unknown", d: &tier.Declaration{Hooks: []string{"host.other"}, MethodsKnown: true, SettingsOverlayKnown: true},
			want: []string{}, unknown: true},
		{id: "overlay", d: known(tier.Declaration{SettingsOverlay: true}), want: []string{"has a settings overlay"}},
		{id: "overlay_unknown", d: &tier.Declaration{HooksKnown: true, MethodsKnown: true}, want: []string{}, unknown: true},
		{id: "every_reason", d: &tier.Declaration{Methods: []string{"Widget", "Gadget"}, Mixins: []string{"tentacle.RestartNeeding"},
			Hooks: []string{"host.restart.x"}, SettingsOverlay: true},
			want: []string{"implements tentacle.RestartNeeding", "implements manager_test.Widgeter",
				"has a handler for hook host.restart.x", "has a settings overlay"}},
	}
	origin := declaredOrigin{}
	var disabled []any
	for _, tt := range tests {
		origin[tt.id] = tt.d
		disabled = append(disabled, tt.id)
	}
	store := settings.New(nil)
	if err := store.Set("plugins._disabled", disabled); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{origin},
		Settings: store,
		Mixins:   []tentacle.Mixin{widgeter},
		Hooks:    hooks.Options{RestartNeeding: []string{"host.restart.*"}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks.MustDeclare[func()](m.Hooks(), hooks.Spec{Name: "host.declared", RestartNeeding: true})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			in, ok := m.Info(tt.id)
			if !ok {
				t.Fatal("not listed")
			}
			if in.Loaded {
				t.Fatal("loaded")
			}
			if diff := cmp.Diff(tt.want, in.RestartNeeding); diff != "" {
				t.Errorf("restart_needing mismatch (-want +got):\n%s", diff)
			}
			if in.RestartNeedingUnknown != tt.unknown {
				t.Errorf("restart_needing_unknown = %v, want %v", in.RestartNeedingUnknown, tt.unknown)
			}
		})
	}
}

// TestDeclaredThenLoaded: once a plugin's code has been loaded, its listing
// gives the reasons its code gave, also after it is unloaded; those of
// what it declares only stand in until then.
func TestDeclaredThenLoaded(t *testing.T) {
	// It declares a restart-needing hook, but its Load drops it: only
	// loading can tell.
	def := &tentacle.Definition{Hooks: tentacle.Hooks{"host.restart.x": func() {}}}
	def.Load = func() error { def.Hooks = nil; return nil }
	store := settings.New(nil)
	if err := store.Set("plugins._disabled", []any{"late"}); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{"late": def})},
		Settings: store,
		Hooks:    hooks.Options{RestartNeeding: []string{"host.restart.*"}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	in, _ := m.Info("late")
	if diff := cmp.Diff([]string{"has a handler for hook host.restart.x"}, in.RestartNeeding); diff != "" || in.RestartNeedingUnknown {
		t.Errorf("before loading: restart_needing mismatch (-want +got):\n%s, unknown %v", diff, in.RestartNeedingUnknown)
	}
	ch, err := m.Enable(ctx, "late")
	if err != nil || !ch.Applied {
		t.Fatalf("Enable = %+v, %v: its loaded code is not restart-needing", ch, err)
	}
	if in, _ := m.Info("late"); len(in.RestartNeeding) != 0 || in.RestartNeedingUnknown || !in.Enabled {
		t.Errorf("after the enable: restart_needing %q, unknown %v, enabled %v", in.RestartNeeding, in.RestartNeedingUnknown, in.Enabled)
	}
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if in, _ := m.Info("late"); in.Loaded || len(in.RestartNeeding) != 0 || in.RestartNeedingUnknown {
		t.Errorf("after the unload: loaded %v, restart_needing %q, unknown %v", in.Loaded, in.RestartNeeding, in.RestartNeedingUnknown)
	}
}
