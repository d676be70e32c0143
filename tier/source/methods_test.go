package source

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tentacle-go/tentacle"
)

// The glue asserts only the mixins the implementation's type may have,
// as read from the source; when the source cannot tell, every mixin.
func TestPossibleMixins(t *testing.T) {
	const head = "package p\n\nimport (\n\t\"io\"\n\tt2 \"github.com/tentacle-go/tentacle\"\n)\n\nvar _ io.Reader\n\n"
	initializer := reflect.TypeFor[tentacle.Initializer]()
	settings := reflect.TypeFor[tentacle.SettingsPlugin]()
	injectable := reflect.TypeFor[tentacle.Injectable]()
	all := []reflect.Type{initializer, settings, injectable}
	for _, tc := range []struct {
		name string
		src  string
		want []reflect.Type
	}{
		{"own methods, &T{}", "type T struct{}\n\nfunc (*T) Initialize() error { return nil }\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			[]reflect.Type{initializer}},
		{"value T{} and new(T)", "type T struct{}\n\nfunc (T) Initialize() error { return nil }\n\nvar impl = new(T)\n\nvar Plugin = t2.Definition{Implementation: T{}}\n",
			[]reflect.Type{initializer}},
		{"embedded host type", "type T struct{ t2.Base }\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			[]reflect.Type{injectable}},
		{"embedded local type, pointer", "type B struct{}\n\nfunc (*B) SettingsDefaults() map[string]any { return nil }\n\ntype T struct{ *B }\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			[]reflect.Type{settings}},
		{"embedded interface of a standard package", "type T struct{ io.Reader }\n\nfunc (*T) Initialize() error { return nil }\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			[]reflect.Type{initializer}},
		{"made by a call: unknown", "type T struct{}\n\nfunc mk() *T { return &T{} }\n\nvar Plugin = t2.Definition{Implementation: mk()}\n",
			all},
		{"an alias: unknown", "type U struct{}\n\ntype T = U\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			all},
		{"embedded type not found: unknown", "type T struct{ t2.NoSuchType }\n\nvar Plugin = t2.Definition{Implementation: &T{}}\n",
			all},
		{"no implementation", "var Plugin = t2.Definition{}\n", all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePackage([]string{"p.go"}, [][]byte{[]byte(head + tc.src)})
			if err != nil {
				t.Fatal(err)
			}
			def, err := findDefinition(p)
			if err != nil {
				t.Fatal(err)
			}
			var mixins []tentacle.Mixin
			for _, typ := range all {
				mixins = append(mixins, tentacle.Mixin{Type: typ})
			}
			var got []reflect.Type
			for _, mx := range possibleMixins(mixins, def, p, theSandbox().typeLookup(defaultHost().idx)) {
				got = append(got, mx.Type)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("mixins %v, want %v", got, tc.want)
			}
		})
	}
}
