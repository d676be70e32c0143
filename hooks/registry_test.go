package hooks_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
)

type lineFunc = func(line string) string

// Sending is a named handler type, as a host might declare one.
type Sending func(line string) string

func identity(line string) string { return line }

// reg is a handler registration for table-driven tests.
type reg struct {
	plugin   string
	order    int
	hasOrder bool
}

// placed is a handler as the ordering tests see it.
type placed struct {
	Plugin string
	Order  int
}

func placedOf(entries []tentacle.HookEntry) []placed {
	var out []placed
	for _, e := range entries {
		out = append(out, placed{e.Plugin, e.Order})
	}
	return out
}

func typedPlaced[F any](hs []hooks.Handler[F]) []placed {
	var out []placed
	for _, h := range hs {
		out = append(out, placed{h.Plugin, h.Order})
	}
	return out
}

func TestRemove(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	a := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: "a.hook"})
	hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: "b.hook"})
	for _, p := range []string{"one", "two", "three"} {
		for _, n := range []string{"a.hook", "b.hook"} {
			if err := r.Add(p, n, hooks.Registration{Func: identity}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !r.Remove("two", "a.hook") {
		t.Error("Remove(two, a.hook) = false, want true")
	}
	if r.Remove("two", "a.hook") {
		t.Error("second Remove(two, a.hook) = true, want false")
	}
	if r.Remove("nobody", "a.hook") || r.Remove("one", "no.such.hook") {
		t.Error("Remove of a missing handler = true")
	}
	if diff := cmp.Diff([]placed{{"one", 1000}, {"three", 1000}}, typedPlaced(a.Handlers())); diff != "" {
		t.Errorf("after Remove (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a.hook", "b.hook"}, r.PluginHooks("one")); diff != "" {
		t.Errorf("PluginHooks(one) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b.hook"}, r.PluginHooks("two")); diff != "" {
		t.Errorf("PluginHooks(two) (-want +got):\n%s", diff)
	}
	if n := r.RemovePlugin("one"); n != 2 {
		t.Errorf("RemovePlugin(one) = %d, want 2", n)
	}
	if n := r.RemovePlugin("one"); n != 0 {
		t.Errorf("second RemovePlugin(one) = %d, want 0", n)
	}
	if got := r.PluginHooks("one"); got != nil {
		t.Errorf("PluginHooks(one) after RemovePlugin = %v, want nil", got)
	}
	if diff := cmp.Diff([]placed{{"three", 1000}}, placedOf(r.Handlers("a.hook"))); diff != "" {
		t.Errorf("a.hook after RemovePlugin (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]placed{{"three", 1000}, {"two", 1000}}, placedOf(r.Handlers("b.hook"))); diff != "" {
		t.Errorf("b.hook after RemovePlugin (-want +got):\n%s", diff)
	}
	r.RemovePlugin("two")
	r.RemovePlugin("three")
	if got := r.Handlers("a.hook"); got != nil {
		t.Errorf("Handlers when empty = %v, want nil", got)
	}
	if got := a.Handlers(); got != nil {
		t.Errorf("typed Handlers when empty = %v, want nil", got)
	}
	// A removed plugin can add its handler again.
	if err := r.Add("one", "a.hook", hooks.Registration{Func: identity}); err != nil {
		t.Errorf("re-Add after Remove: %v", err)
	}
}

func TestAddErrors(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: "x.y"})
	if err := r.Declare(hooks.Spec{Name: "old.gcode", Obsolete: "use tentacle.comm.protocol.gcode.sending instead"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Declare(hooks.Spec{Name: "any.func"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("foo", "x.y", hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	var nilFunc lineFunc
	tests := []struct {
		name     string
		plugin   string
		hook     string
		handler  any
		want     error
		contains []string
	}{
		{"unknown hook", "foo", "no.such.hook", identity, hooks.ErrUnknownHook,
			[]string{`hook "no.such.hook"`, `plugin "foo"`, `"tentacle.plugin."`}},
		{"bare plugin prefix", "foo", "tentacle.plugin.", identity, hooks.ErrUnknownHook, []string{`plugin "foo"`}},
		{"invalid name under prefix", "foo", "tentacle.plugin.foo..bar", identity, hooks.ErrUnknownHook,
			[]string{`hook "tentacle.plugin.foo..bar"`, "invalid name"}},
		{"obsolete", "foo", "old.gcode", identity, hooks.ErrObsoleteHook,
			[]string{`hook "old.gcode"`, `plugin "foo"`, "use tentacle.comm.protocol.gcode.sending instead"}},
		{"nil", "bar", "x.y", nil, hooks.ErrWrongHandlerType, []string{`hook "x.y"`, `plugin "bar"`, "nil"}},
		{"nil func", "bar", "x.y", nilFunc, hooks.ErrWrongHandlerType, []string{`plugin "bar"`, "nil func(string) string"}},
		{"not a func", "bar", "x.y", 42, hooks.ErrWrongHandlerType,
			[]string{`hook "x.y": wrong handler type: handler of plugin "bar" has type int, want func(string) string`}},
		{"wrong signature", "bar", "x.y", func(int) {}, hooks.ErrWrongHandlerType,
			[]string{`hook "x.y": wrong handler type: handler of plugin "bar" has type func(int), want func(string) string`}},
		{"untyped hook, not a func", "bar", "any.func", "str", hooks.ErrWrongHandlerType,
			[]string{`hook "any.func"`, `plugin "bar"`, "has type string, want a func"}},
		{"untyped prefix hook, not a func", "bar", "tentacle.plugin.bar.x", 1, hooks.ErrWrongHandlerType,
			[]string{"want a func"}},
		{"duplicate", "foo", "x.y", identity, hooks.ErrDuplicateHandler, []string{`hook "x.y"`, `plugin "foo"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := placedOf(r.Handlers(tt.hook))
			err := r.Add(tt.plugin, tt.hook, hooks.Registration{Func: tt.handler, Order: 1, HasOrder: true})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Add: error %v, want %v", err, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if diff := cmp.Diff(before, placedOf(r.Handlers(tt.hook))); diff != "" {
				t.Errorf("a failed Add changed the handlers (-before +after):\n%s", diff)
			}
			if tt.want != hooks.ErrDuplicateHandler {
				if verr := r.Validate(tt.hook, hooks.Registration{Func: tt.handler}); !errors.Is(verr, tt.want) {
					t.Errorf("Validate: error %v, want %v", verr, tt.want)
				}
			}
		})
	}
	if err := r.Add("", "x.y", hooks.Registration{Func: identity}); err == nil {
		t.Error("Add with an empty plugin: no error")
	}
	if err := r.Validate("x.y", hooks.Registration{Func: identity}); err != nil {
		t.Errorf("Validate of a fitting handler: %v", err)
	}
	if diff := cmp.Diff([]string{"x.y"}, r.PluginHooks("foo")); diff != "" {
		t.Errorf("PluginHooks(foo) (-want +got):\n%s", diff)
	}
	if got := r.PluginHooks("bar"); got != nil {
		t.Errorf("PluginHooks(bar) = %v, want nil", got)
	}
}

func TestNamedUnnamedConversion(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	named := hooks.MustDeclare[Sending](r, hooks.Spec{Name: "named.hook"})
	unnamed := hooks.MustDeclare[lineFunc](r, hooks.Spec{Name: "unnamed.hook"})
	up := func(s string) string { return strings.ToUpper(s) }
	if err := r.Add("foo", "named.hook", hooks.Registration{Func: up}); err != nil {
		t.Fatalf("unnamed func for a named type: %v", err)
	}
	if err := r.Add("foo", "unnamed.hook", hooks.Registration{Func: Sending(up)}); err != nil {
		t.Fatalf("named func for an unnamed type: %v", err)
	}
	if got := named.Handlers()[0].Fn("g1"); got != "G1" {
		t.Errorf("named hook handler returned %q, want G1", got)
	}
	if got := unnamed.Handlers()[0].Fn("g1"); got != "G1" {
		t.Errorf("unnamed hook handler returned %q, want G1", got)
	}
	// The untyped view holds the converted handler too.
	if _, ok := r.Handlers("named.hook")[0].Func.(Sending); !ok {
		t.Errorf("untyped handler has type %T, want hooks_test.Sending", r.Handlers("named.hook")[0].Func)
	}
	if _, ok := r.Handlers("unnamed.hook")[0].Func.(lineFunc); !ok {
		t.Errorf("untyped handler has type %T, want func(string) string", r.Handlers("unnamed.hook")[0].Func)
	}
	// A different named type with the same underlying type converts as well.
	type Other func(string) string
	if err := r.Add("bar", "named.hook", hooks.Registration{Func: Other(up)}); err != nil {
		t.Errorf("other named func type: %v", err)
	}
}

func TestObsolete(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	if err := r.Declare(hooks.Spec{Name: "tentacle.comm.protocol.gcode"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("foo", "tentacle.comm.protocol.gcode", hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	// Redeclaring as obsolete keeps existing handlers but refuses new ones.
	const instead = "use tentacle.comm.protocol.gcode.<phase> instead"
	if err := r.Declare(hooks.Spec{Name: "tentacle.comm.protocol.gcode", Obsolete: instead}); err != nil {
		t.Fatal(err)
	}
	err := r.Add("bar", "tentacle.comm.protocol.gcode", hooks.Registration{Func: identity})
	if !errors.Is(err, hooks.ErrObsoleteHook) || !strings.Contains(err.Error(), instead) {
		t.Errorf("Add to an obsolete hook: %v", err)
	}
	if err := r.Validate("tentacle.comm.protocol.gcode", hooks.Registration{Func: identity}); !errors.Is(err, hooks.ErrObsoleteHook) {
		t.Errorf("Validate of an obsolete hook: %v", err)
	}
	if n := len(r.Handlers("tentacle.comm.protocol.gcode")); n != 1 {
		t.Errorf("%d handlers, want 1", n)
	}
}

func TestRestartNeeding(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{RestartNeeding: []string{
		"tentacle.server.http.*", "tentacle.printer.factory", "tentacle.access.permissions",
	}})
	hooks.MustDeclare[func()](r, hooks.Spec{Name: "tentacle.timelapse.extensions", RestartNeeding: true})
	hooks.MustDeclare[func()](r, hooks.Spec{Name: "tentacle.comm.protocol.gcode.sending"})
	tests := []struct {
		name string
		want bool
	}{
		{"tentacle.timelapse.extensions", true},         // spec flag
		{"tentacle.server.http.routes", true},           // pattern
		{"tentacle.server.http.bodysize", true},         // pattern
		{"tentacle.printer.factory", true},              // exact pattern
		{"tentacle.printer.factory.more", false},        // exact patterns do not match a subtree
		{"tentacle.comm.protocol.gcode.sending", false}, // declared, not flagged
		{"tentacle.plugin.foo.bar", false},              // undeclared
		{"", false},
	}
	for _, tt := range tests {
		if got := r.RestartNeeding(tt.name); got != tt.want {
			t.Errorf("RestartNeeding(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{PluginPrefix: "my.plugin."})
	hooks.MustDeclare[func()](r, hooks.Spec{Name: "z.hook"})
	if err := r.Declare(hooks.Spec{Name: "b.hook"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("foo", "my.plugin.foo.x", hooks.Registration{Func: func() {}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("foo", "tentacle.plugin.foo.x", hooks.Registration{Func: func() {}}); !errors.Is(err, hooks.ErrUnknownHook) {
		t.Errorf("default prefix with a custom one: %v", err)
	}
	if diff := cmp.Diff([]string{"b.hook", "my.plugin.foo.x", "z.hook"}, r.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	// An undeclared hook disappears from Names with its last handler.
	r.RemovePlugin("foo")
	if diff := cmp.Diff([]string{"b.hook", "z.hook"}, r.Names()); diff != "" {
		t.Errorf("Names after RemovePlugin (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]hooks.Spec{{Name: "b.hook"}, {Name: "z.hook", Type: reflect.TypeFor[func()]()}}, r.Specs(),
		cmp.Comparer(func(a, b reflect.Type) bool { return a == b })); diff != "" {
		t.Errorf("Specs (-want +got):\n%s", diff)
	}
}
