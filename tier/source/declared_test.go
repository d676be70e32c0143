package source_test

import (
	"context"
	"go/constant"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

// hostVar is a variable of the test's host package: not a constant, so it
// names no hook that is known before the plugin runs.
var hostVar = "host.var"

// TestDeclaration reads, from the source of each plugin in
// testdata/declared and without running it, what decides whether toggling
// it needs a restart: the hooks, methods and overlay its Definition
// literal declares, each unknown (not empty) where the source does not
// settle it.
func TestDeclaration(t *testing.T) {
	opts := source.Options{Symbols: []map[string]map[string]reflect.Value{{
		"example.com/host/host": {
			"Untyped": reflect.ValueOf(constant.MakeString("host.untyped")),
			"Typed":   reflect.ValueOf("host.typed"),
			"Var":     reflect.ValueOf(&hostVar).Elem(),
			"Number":  reflect.ValueOf(constant.MakeInt64(3)),
		},
	}}}
	cands, err := source.New("testdata/declared", opts).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]*tier.Declaration)
	for _, c := range cands {
		if c.Invalid != nil || c.NotAPlugin {
			t.Errorf("%s: invalid %v, not a plugin %v", c.ID, c.Invalid, c.NotAPlugin)
		}
		got[c.ID] = c.Declares()
	}
	known := func(d tier.Declaration) *tier.Declaration {
		d.HooksKnown, d.MethodsKnown, d.SettingsOverlayKnown = true, true, true
		if d.Hooks == nil {
			d.Hooks = []string{}
		}
		return &d
	}
	tests := []struct {
		id   string
		want *tier.Declaration
	}{
		{"marker", known(tier.Declaration{
			Hooks:           []string{"marker.Startup", "marker.first", "marker.literal"},
			Methods:         []string{"Initialize", "RestartNeedingPlugin"},
			SettingsOverlay: true,
		})},
		{"nothing", known(tier.Declaration{})},
		{"value_impl", known(tier.Declaration{Methods: []string{"RestartNeedingPlugin", "SettingsDefaults"}})},
		{"new_impl", known(tier.Declaration{Hooks: []string{"new.one"}, Methods: []string{"OnPluginEnabled"}})},
		{"var_impl", known(tier.Declaration{Methods: []string{"ReloadNeedingPlugin"}})},
		{"typed_var_impl", &tier.Declaration{Hooks: []string{}, HooksKnown: true, SettingsOverlayKnown: true}},
		{"hooks_in_load", &tier.Declaration{Hooks: []string{"late.first"}, MethodsKnown: true, SettingsOverlayKnown: true}},
		{"impl_in_init", &tier.Declaration{Hooks: []string{}, HooksKnown: true}},
		{"escapes", &tier.Declaration{Hooks: []string{"escapes.hook"}, Methods: []string{"Initialize"}}},
		{"computed", &tier.Declaration{Hooks: []string{}}},
		{"shared_hooks", &tier.Declaration{Hooks: []string{}, MethodsKnown: true}},
		{"unresolved", &tier.Declaration{Hooks: []string{"unresolved.const"}, MethodsKnown: true, SettingsOverlayKnown: true}},
		{"foreign_impl", &tier.Declaration{Hooks: []string{}, HooksKnown: true, SettingsOverlayKnown: true}},
		{"embedded", known(tier.Declaration{Methods: []string{"Initialize"}})},
		{"host_consts", &tier.Declaration{Hooks: []string{"host.typed", "host.untyped"}, MethodsKnown: true, SettingsOverlayKnown: true}},
		{"split", known(tier.Declaration{Hooks: []string{"split.hook"}, Methods: []string{"OnSettingsMigrate", "SettingsVersion"}})},
	}
	if len(tests) != len(got) {
		t.Errorf("%d plugins in testdata/declared, %d tested", len(got), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			d, ok := got[tt.id]
			if !ok {
				t.Fatalf("no plugin %s in testdata/declared", tt.id)
			}
			if diff := cmp.Diff(tt.want, d); diff != "" {
				t.Errorf("Declares mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
