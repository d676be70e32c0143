package hooks_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/hooks"
)

func TestPluginPrefixHooks(t *testing.T) {
	const name = "tentacle.plugin.foo.transform"
	r := hooks.NewRegistry(hooks.Options{})
	if err := r.Add("bar", name, hooks.Registration{Func: strings.ToUpper, Order: 20, HasOrder: true}); err != nil {
		t.Fatalf("undeclared prefix hook: %v", err)
	}
	if err := r.Add("baz", name, hooks.Registration{Func: Sending(strings.ToLower), Order: 10, HasOrder: true}); err != nil {
		t.Fatalf("undeclared prefix hook: %v", err)
	}
	if _, ok := r.Spec(name); ok {
		t.Error("Spec of an undeclared hook: ok")
	}
	if diff := cmp.Diff([]string{name}, r.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}

	// A later typed declaration converts the existing handlers.
	h, err := hooks.Declare[lineFunc](r, hooks.Spec{Name: name, Doc: "transforms"})
	if err != nil {
		t.Fatalf("Declare over existing handlers: %v", err)
	}
	var got []string
	for _, hd := range h.Handlers() {
		got = append(got, hd.Plugin+"="+hd.Fn("Ab"))
	}
	if diff := cmp.Diff([]string{"baz=ab", "bar=AB"}, got); diff != "" {
		t.Errorf("typed handlers (-want +got):\n%s", diff)
	}
	if _, ok := r.Handlers(name)[0].Func.(lineFunc); !ok {
		t.Errorf("untyped view not converted: %T", r.Handlers(name)[0].Func)
	}
	// Now typed: a handler that does not fit is refused.
	if err := r.Add("qux", name, hooks.Registration{Func: func() {}}); !errors.Is(err, hooks.ErrWrongHandlerType) {
		t.Errorf("Add of a wrong handler after Declare: %v", err)
	}

	// Declaring over handlers that do not fit fails and changes nothing.
	const other = "tentacle.plugin.foo.other"
	if err := r.Add("bar", other, hooks.Registration{Func: strings.ToUpper}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("baz", other, hooks.Registration{Func: func(int) {}}); err != nil {
		t.Fatal(err)
	}
	_, err = hooks.Declare[lineFunc](r, hooks.Spec{Name: other})
	if !errors.Is(err, hooks.ErrWrongHandlerType) {
		t.Fatalf("Declare over a misfit handler: error %v, want ErrWrongHandlerType", err)
	}
	for _, s := range []string{`hook "tentacle.plugin.foo.other"`, `plugin "baz"`, "func(int)", "func(string) string"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
	if _, ok := r.Spec(other); ok {
		t.Error("a failed Declare declared the hook")
	}
	if err := r.Declare(hooks.Spec{Name: other, Type: reflect.TypeFor[lineFunc]()}); !errors.Is(err, hooks.ErrWrongHandlerType) {
		t.Errorf("untyped Declare over a misfit handler: %v", err)
	}
	if _, ok := r.Handlers(other)[0].Func.(func(string) string); !ok {
		t.Error("a failed Declare changed the handlers")
	}
	// Without a type the declaration fits any func.
	if err := r.Declare(hooks.Spec{Name: other, Doc: "untyped"}); err != nil {
		t.Errorf("untyped Declare: %v", err)
	}
}

func TestDeclare(t *testing.T) {
	r := hooks.NewRegistry(hooks.Options{})
	h1, err := hooks.Declare[lineFunc](r, hooks.Spec{Name: "x.y", Doc: "first"})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := hooks.Declare[lineFunc](r, hooks.Spec{Name: "x.y", Doc: "second", RestartNeeding: true})
	if err != nil {
		t.Fatalf("redeclare with the same type: %v", err)
	}
	if h1 != h2 {
		t.Error("redeclaring returned a different *Hook")
	}
	if h1.Name() != "x.y" {
		t.Errorf("Name() = %q", h1.Name())
	}
	spec, ok := r.Spec("x.y")
	if !ok || spec.Doc != "second" || !spec.RestartNeeding || spec.Type != reflect.TypeFor[lineFunc]() {
		t.Errorf("Spec after redeclare = %+v, %v", spec, ok)
	}
	// Untyped redeclaration with the same type updates too.
	if err := r.Declare(hooks.Spec{Name: "x.y", Type: reflect.TypeFor[lineFunc](), Doc: "third"}); err != nil {
		t.Errorf("untyped redeclare with the same type: %v", err)
	}
	// A typed hook for a name declared untyped with its type.
	if err := r.Declare(hooks.Spec{Name: "a.b", Type: reflect.TypeFor[lineFunc]()}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("foo", "a.b", hooks.Registration{Func: identity}); err != nil {
		t.Fatal(err)
	}
	ab, err := hooks.Declare[lineFunc](r, hooks.Spec{Name: "a.b"})
	if err != nil {
		t.Fatalf("typed Declare of an untyped declaration of the same type: %v", err)
	}
	if diff := cmp.Diff([]placed{{"foo", 1000}}, typedPlaced(ab.Handlers())); diff != "" {
		t.Errorf("typed view of existing handlers (-want +got):\n%s", diff)
	}

	tests := []struct {
		name    string
		declare func() error
		want    string
	}{
		{"empty name", func() error { return r.Declare(hooks.Spec{}) }, "empty name"},
		{"invalid name", func() error { return r.Declare(hooks.Spec{Name: "a b"}) }, `"a b": invalid name`},
		{"glob in name", func() error { return r.Declare(hooks.Spec{Name: "a.*"}) }, "invalid name"},
		{"empty segment", func() error { return r.Declare(hooks.Spec{Name: "a..b"}) }, "invalid name"},
		{"not a func type", func() error { return r.Declare(hooks.Spec{Name: "n.f", Type: reflect.TypeFor[int]()}) }, "int is not a func type"},
		{"negative budget", func() error { return r.Declare(hooks.Spec{Name: "n.b", Budget: -time.Millisecond}) }, `"n.b": negative budget -1ms`},
		{"typed not a func", func() error { _, err := hooks.Declare[string](r, hooks.Spec{Name: "n.f"}); return err }, "string is not a func type"},
		{"different type", func() error { _, err := hooks.Declare[func(int)](r, hooks.Spec{Name: "x.y"}); return err },
			`"x.y": type func(int) differs from the declared func(string) string`},
		{"named vs unnamed is different", func() error { _, err := hooks.Declare[Sending](r, hooks.Spec{Name: "x.y"}); return err },
			"differs"},
		{"untyped vs typed", func() error { return r.Declare(hooks.Spec{Name: "x.y"}) }, "type untyped differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.declare()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if !panics(func() { hooks.MustDeclare[int](r, hooks.Spec{Name: "m.d"}) }) {
		t.Error("MustDeclare with a non-func type did not panic")
	}

	wantSpecs := []string{"a.b", "x.y"}
	var gotSpecs []string
	for _, s := range r.Specs() {
		gotSpecs = append(gotSpecs, s.Name)
	}
	if diff := cmp.Diff(wantSpecs, gotSpecs); diff != "" {
		t.Errorf("Specs (-want +got):\n%s", diff)
	}
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}
