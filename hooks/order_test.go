package hooks_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/hooks"
)

func TestOrdering(t *testing.T) {
	const name = "some.ordered.callback"
	tests := []struct {
		name string
		regs []reg
		want []placed
	}{
		{
			// OctoPrint's test_sorted_hooks.
			name: "orders 10, 100 and none",
			regs: []reg{{"hook_plugin", 0, false}, {"another_ordered_hook_plugin", 100, true}, {"one_ordered_hook_plugin", 10, true}},
			want: []placed{{"one_ordered_hook_plugin", 10}, {"another_ordered_hook_plugin", 100}, {"hook_plugin", 1000}},
		},
		{
			name: "ties broken by identifier",
			regs: []reg{{"zeta", 5, true}, {"alpha", 5, true}, {"mid", 5, true}, {"beta", 0, false}, {"aaa", 0, false}},
			want: []placed{{"alpha", 5}, {"mid", 5}, {"zeta", 5}, {"aaa", 1000}, {"beta", 1000}},
		},
		{
			name: "order 0 is real and sorts before 1 and default",
			regs: []reg{{"dflt", 0, false}, {"one", 1, true}, {"zero", 0, true}},
			want: []placed{{"zero", 0}, {"one", 1}, {"dflt", 1000}},
		},
		{
			name: "negative and explicit 1000",
			regs: []reg{{"b", 1000, true}, {"a", 0, false}, {"neg", -5, true}},
			want: []placed{{"neg", -5}, {"a", 1000}, {"b", 1000}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hooks.NewRegistry(hooks.Options{})
			h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
			for _, g := range tt.regs {
				if err := r.Add(g.plugin, name, hooks.Registration{Func: identity, Order: g.order, HasOrder: g.hasOrder}); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, placedOf(r.Handlers(name))); diff != "" {
				t.Errorf("Handlers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, typedPlaced(h.Handlers())); diff != "" {
				t.Errorf("typed Handlers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrderOverrides(t *testing.T) {
	const name = "x.y"
	r := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: name})
	for _, g := range []reg{{"foo", 10, true}, {"bar", 20, true}, {"baz", 0, false}} {
		if err := r.Add(g.plugin, name, hooks.Registration{Func: identity, Order: g.order, HasOrder: g.hasOrder}); err != nil {
			t.Fatal(err)
		}
	}
	r.SetOrderOverrides(map[string]map[string]int{
		"foo": {name: 30},
		"baz": {name: 0},
		"bar": {"other.hook": 1},
	})
	want := []placed{{"baz", 0}, {"bar", 20}, {"foo", 30}}
	if diff := cmp.Diff(want, placedOf(r.Handlers(name))); diff != "" {
		t.Errorf("Handlers after override (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("typed Handlers after override (-want +got):\n%s", diff)
	}
	wantExpl := []hooks.Explanation{
		{Position: 1, Plugin: "baz", Order: 0, Declared: 1000, From: hooks.OrderConfig,
			Reason: "order 0 from config plugins._sortingOrder.baz.x.y (the plugin gives none)"},
		{Position: 2, Plugin: "bar", Order: 20, Declared: 20, HasDeclared: true, From: hooks.OrderPlugin,
			Reason: "order 20 set by the plugin"},
		{Position: 3, Plugin: "foo", Order: 30, Declared: 10, HasDeclared: true, From: hooks.OrderConfig,
			Reason: "order 30 from config plugins._sortingOrder.foo.x.y (the plugin gives 10)"},
	}
	if diff := cmp.Diff(wantExpl, r.Explain(name)); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}

	// An override applies to a handler added later too.
	r.SetOrderOverrides(map[string]map[string]int{"qux": {name: 5}})
	if err := r.Add("qux", name, hooks.Registration{Func: identity, Order: 50, HasOrder: true}); err != nil {
		t.Fatal(err)
	}
	want = []placed{{"qux", 5}, {"foo", 10}, {"bar", 20}, {"baz", 1000}}
	if diff := cmp.Diff(want, typedPlaced(h.Handlers())); diff != "" {
		t.Errorf("after replacing overrides (-want +got):\n%s", diff)
	}

	// Clearing the overrides restores the plugins' orders.
	r.SetOrderOverrides(nil)
	want = []placed{{"foo", 10}, {"bar", 20}, {"qux", 50}, {"baz", 1000}}
	if diff := cmp.Diff(want, placedOf(r.Handlers(name))); diff != "" {
		t.Errorf("after clearing overrides (-want +got):\n%s", diff)
	}
}

func TestExplain(t *testing.T) {
	const name = "x.y"
	r := hooks.NewRegistry(hooks.Options{})
	if err := r.Declare(hooks.Spec{Name: name}); err != nil {
		t.Fatal(err)
	}
	r.SetOrderOverrides(map[string]map[string]int{"cfg": {name: 10}})
	for _, g := range []reg{{"bar", 10, true}, {"cfg", 3, true}, {"dflt", 0, false}, {"aaa", 0, false}} {
		if err := r.Add(g.plugin, name, hooks.Registration{Func: identity, Order: g.order, HasOrder: g.hasOrder}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range r.Explain(name) {
		got = append(got, e.Plugin+": "+e.Reason)
	}
	want := []string{
		`bar: order 10 set by the plugin`,
		`cfg: order 10 from config plugins._sortingOrder.cfg.x.y (the plugin gives 3); after "bar" by identifier`,
		`aaa: default order 1000 (the plugin gives none)`,
		`dflt: default order 1000 (the plugin gives none); after "aaa" by identifier`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Explain reasons (-want +got):\n%s", diff)
	}
	if got := r.Explain("no.such.hook"); got != nil {
		t.Errorf("Explain(unknown) = %v, want nil", got)
	}
}
