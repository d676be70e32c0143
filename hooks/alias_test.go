package hooks_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
)

// lineFilter is a filter type as a host declares one.
type lineFilter struct {
	Codes []string
}

// aliased is the spec of a hook with an alias and a filter type.
func aliased() hooks.Spec {
	return hooks.Spec{
		Name:    "host.line.sending",
		Type:    reflect.TypeFor[Sending](),
		Aliases: []string{"other.line.sending"},
		Filter:  reflect.TypeFor[lineFilter](),
	}
}

func TestAliasResolves(t *testing.T) {
	tests := []struct {
		name string
		add  string // the name the handler is added under
		drop string // the name it is removed under
	}{
		{"by name", "host.line.sending", "host.line.sending"},
		{"add by alias", "other.line.sending", "host.line.sending"},
		{"remove by alias", "host.line.sending", "other.line.sending"},
		{"both by alias", "other.line.sending", "other.line.sending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hooks.NewRegistry(hooks.Options{})
			spec := aliased()
			spec.RestartNeeding = true
			h := hooks.MustDeclare[Sending](r, spec)
			if err := r.Add("p", tt.add, hooks.Registration{Func: identity, Order: 5, HasOrder: true}); err != nil {
				t.Fatal(err)
			}
			if got := r.PluginHooks("p"); !slices.Equal(got, []string{"host.line.sending"}) {
				t.Errorf("PluginHooks = %v, want the hook's name", got)
			}
			if got := r.Names(); !slices.Equal(got, []string{"host.line.sending"}) {
				t.Errorf("Names = %v, want the hook's name only", got)
			}
			for _, n := range []string{"host.line.sending", "other.line.sending"} {
				if got := r.Handlers(n); len(got) != 1 || got[0].Plugin != "p" {
					t.Errorf("Handlers(%q) = %v", n, got)
				}
				if got := r.Explain(n); len(got) != 1 || got[0].Order != 5 {
					t.Errorf("Explain(%q) = %v", n, got)
				}
				if s, ok := r.Spec(n); !ok || s.Name != "host.line.sending" {
					t.Errorf("Spec(%q) = %v, %v", n, s.Name, ok)
				}
				if !r.RestartNeeding(n) {
					t.Errorf("RestartNeeding(%q) = false", n)
				}
				if err := r.Validate(n, hooks.Registration{Func: identity}); err != nil {
					t.Errorf("Validate(%q): %v", n, err)
				}
			}
			if got := h.Handlers(); len(got) != 1 {
				t.Errorf("typed handlers = %v", got)
			}
			if err := r.Add("p", "other.line.sending", hooks.Registration{Func: identity}); !errors.Is(err, hooks.ErrDuplicateHandler) {
				t.Errorf("second handler under the alias: %v, want %v", err, hooks.ErrDuplicateHandler)
			}
			if err := r.Add("p", "host.line.sending", hooks.Registration{Func: identity}); !errors.Is(err, hooks.ErrDuplicateHandler) {
				t.Errorf("second handler under the name: %v, want %v", err, hooks.ErrDuplicateHandler)
			}
			if !r.Remove("p", tt.drop) {
				t.Fatalf("Remove(%q) = false", tt.drop)
			}
			if got := h.Handlers(); len(got) != 0 {
				t.Errorf("typed handlers after Remove = %v", got)
			}
			if got := r.PluginHooks("p"); got != nil {
				t.Errorf("PluginHooks after Remove = %v", got)
			}
		})
	}
}

func TestAliasRestartNeedingPattern(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{RestartNeeding: []string{"other.*"}})
	hooks.MustDeclare[Sending](r, aliased())
	for _, n := range []string{"host.line.sending", "other.line.sending"} {
		if !r.RestartNeeding(n) {
			t.Errorf("RestartNeeding(%q) = false, want true (the alias matches the pattern)", n)
		}
	}
}

func TestAliasOrderOverride(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]int
		want      int
		reason    string
	}{
		{"by alias", map[string]int{"other.line.sending": 7}, 7, "plugins._sortingOrder.p.other.line.sending"},
		{"by name", map[string]int{"host.line.sending": 8}, 8, "plugins._sortingOrder.p.host.line.sending"},
		{"name wins", map[string]int{"host.line.sending": 8, "other.line.sending": 7}, 8, "plugins._sortingOrder.p.host.line.sending"},
		{"none", nil, 5, "set by the plugin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, before := range []bool{true, false} {
				r := hooks.NewRegistry(hooks.Options{})
				if before {
					r.SetOrderOverrides(map[string]map[string]int{"p": tt.overrides})
				}
				hooks.MustDeclare[Sending](r, aliased())
				if err := r.Add("p", "other.line.sending", hooks.Registration{Func: identity, Order: 5, HasOrder: true}); err != nil {
					t.Fatal(err)
				}
				if !before {
					r.SetOrderOverrides(map[string]map[string]int{"p": tt.overrides})
				}
				ex := r.Explain("host.line.sending")
				if len(ex) != 1 || ex[0].Order != tt.want || !strings.Contains(ex[0].Reason, tt.reason) {
					t.Errorf("overrides set before=%v: Explain = %+v, want order %d and %q", before, ex, tt.want, tt.reason)
				}
			}
		})
	}
}

func TestAliasDeclareErrors(t *testing.T) {
	base := func(r *hooks.Registry) {
		hooks.MustDeclare[Sending](r, aliased())
		if err := r.Add("q", "tentacle.plugin.q.used", hooks.Registration{Func: identity}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		spec hooks.Spec
		want string // in the error; empty: no error
	}{
		{"alias is another hook's name", hooks.Spec{Name: "x.y", Aliases: []string{"host.line.sending"}}, "is the name of another hook"},
		{"alias is another hook's alias", hooks.Spec{Name: "x.y", Aliases: []string{"other.line.sending"}}, `already an alias of hook "host.line.sending"`},
		{"name is another hook's alias", hooks.Spec{Name: "other.line.sending"}, `is an alias of hook "host.line.sending"`},
		{"alias has handlers", hooks.Spec{Name: "x.y", Aliases: []string{"tentacle.plugin.q.used"}}, "already has handlers of its own"},
		{"invalid alias", hooks.Spec{Name: "x.y", Aliases: []string{"a..b"}}, "invalid alias"},
		{"own name as alias", hooks.Spec{Name: "x.y", Aliases: []string{"x.y"}}, ""},
		{"same spec again", aliased(), ""},
		{"other filter type", hooks.Spec{Name: "host.line.sending", Type: reflect.TypeFor[Sending](), Aliases: []string{"other.line.sending"}}, "filter type none differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hooks.NewRegistry(hooks.Options{})
			base(r)
			err := r.Declare(tt.spec)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Declare: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Declare: %v, want an error with %q", err, tt.want)
			}
			if tt.want != "" {
				if s, _ := r.Spec("other.line.sending"); s.Name != "host.line.sending" {
					t.Errorf("a failed Declare changed the alias: %q", s.Name)
				}
			}
		})
	}
}

func TestAliasRedeclare(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	hooks.MustDeclare[Sending](r, aliased())
	spec := aliased()
	spec.Aliases = []string{"third.line.sending"}
	if err := r.Declare(spec); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Spec("other.line.sending"); ok {
		t.Error("the dropped alias still resolves")
	}
	if err := r.Add("p", "other.line.sending", hooks.Registration{Func: identity}); !errors.Is(err, hooks.ErrUnknownHook) {
		t.Errorf("Add under the dropped alias: %v, want %v", err, hooks.ErrUnknownHook)
	}
	if err := r.Add("p", "third.line.sending", hooks.Registration{Func: identity}); err != nil {
		t.Errorf("Add under the new alias: %v", err)
	}
	// The dropped alias is free for another hook.
	if err := r.Declare(hooks.Spec{Name: "x.y", Aliases: []string{"other.line.sending"}}); err != nil {
		t.Errorf("Declare with the dropped alias: %v", err)
	}
}

// TestUntypedThenTyped: a host declares a hook's spec untyped with
// Registry.Declare, a handler is added under its alias, and a component
// declares it typed with the same spec later.
func TestUntypedThenTyped(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	if err := r.Declare(aliased()); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("p", "other.line.sending", hooks.Registration{Func: identity, Filter: lineFilter{Codes: []string{"M107"}}}); err != nil {
		t.Fatal(err)
	}
	h, err := hooks.Declare[Sending](r, aliased())
	if err != nil {
		t.Fatalf("typed Declare after the untyped one: %v", err)
	}
	got := h.Handlers()
	if len(got) != 1 || got[0].Plugin != "p" {
		t.Fatalf("typed handlers = %v", got)
	}
	if f, ok := got[0].Filter.(lineFilter); !ok || !slices.Equal(f.Codes, []string{"M107"}) {
		t.Errorf("typed handler's filter = %#v", got[0].Filter)
	}
}

func TestFilter(t *testing.T) {
	want := lineFilter{Codes: []string{"M107"}}
	tests := []struct {
		name   string
		hook   string
		filter any
		want   any    // the stored filter
		err    string // in the error; empty: no error
	}{
		{"none", "host.line.sending", nil, nil, ""},
		{"value", "host.line.sending", want, want, ""},
		{"by alias", "other.line.sending", want, want, ""},
		{"pointer", "host.line.sending", &want, want, ""},
		{"nil pointer", "host.line.sending", (*lineFilter)(nil), nil, ""},
		{"zero value", "host.line.sending", lineFilter{}, lineFilter{}, ""},
		{"wrong type", "host.line.sending", "M107", nil, `hook "host.line.sending": wrong filter: handler of plugin "p" has a filter of type string, want hooks_test.lineFilter`},
		{"pointer to pointer", "host.line.sending", func() any { p := &want; return &p }(), nil, "has a filter of type **hooks_test.lineFilter"},
		{"hook takes none", "host.plain", want, nil, `hook "host.plain": wrong filter: handler of plugin "p" has a filter of type hooks_test.lineFilter, but the hook takes no filters`},
		{"undeclared plugin hook", "tentacle.plugin.p.x", want, nil, "the hook takes no filters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hooks.NewRegistry(hooks.Options{})
			h := hooks.MustDeclare[Sending](r, aliased())
			hooks.MustDeclare[Sending](r, hooks.Spec{Name: "host.plain"})
			reg := hooks.Registration{Func: identity, Filter: tt.filter}
			verr := r.Validate(tt.hook, reg)
			err := r.Add("p", tt.hook, reg)
			if tt.err != "" {
				if !errors.Is(err, hooks.ErrWrongFilter) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Add: %v, want %v with %q", err, hooks.ErrWrongFilter, tt.err)
				}
				if !errors.Is(verr, hooks.ErrWrongFilter) {
					t.Errorf("Validate: %v, want %v", verr, hooks.ErrWrongFilter)
				}
				if got := r.PluginHooks("p"); got != nil {
					t.Errorf("a refused handler was registered: %v", got)
				}
				return
			}
			if err != nil || verr != nil {
				t.Fatalf("Add: %v; Validate: %v", err, verr)
			}
			entries := r.Handlers(tt.hook)
			if len(entries) != 1 || !reflect.DeepEqual(entries[0].Filter, tt.want) {
				t.Errorf("HookEntry.Filter = %#v, want %#v", entries, tt.want)
			}
			if tt.hook != "tentacle.plugin.p.x" {
				typed := h.Handlers()
				if len(typed) != 1 || !reflect.DeepEqual(typed[0].Filter, tt.want) {
					t.Errorf("Handler.Filter = %#v, want %#v", typed, tt.want)
				}
			}
		})
	}
}

func TestUnwrap(t *testing.T) {
	f := lineFilter{}
	tests := []struct {
		name string
		v    any
		want hooks.Registration
	}{
		{"func", identity, hooks.Registration{Func: identity, Order: tentacle.DefaultOrder}},
		{"handler", tentacle.HookHandler{Func: identity, Order: 3, Filter: f}, hooks.Registration{Func: identity, Order: 3, HasOrder: true, Filter: f}},
		{"pointer", &tentacle.HookHandler{Func: identity, Order: 0}, hooks.Registration{Func: identity, HasOrder: true}},
		{"nil pointer", (*tentacle.HookHandler)(nil), hooks.Registration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hooks.Unwrap(tt.v)
			if (got.Func == nil) != (tt.want.Func == nil) ||
				got.Func != nil && reflect.ValueOf(got.Func).Pointer() != reflect.ValueOf(tt.want.Func).Pointer() ||
				got.Order != tt.want.Order || got.HasOrder != tt.want.HasOrder || !reflect.DeepEqual(got.Filter, tt.want.Filter) {
				t.Errorf("Unwrap = %+v, want %+v", got, tt.want)
			}
		})
	}
}
