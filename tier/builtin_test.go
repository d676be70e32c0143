package tier_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

type plain struct{ tentacle.Base }

type byPointer struct {
	*tentacle.Base
	Name string
}

type own struct{ got *tentacle.Context }

func (o *own) SetContext(c *tentacle.Context) { o.got = c }

func (*plain) Initialize() error { return nil }

func TestInjectBase(t *testing.T) {
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{Identifier: "x"})
	defer cancel()
	p := &plain{}
	bp := &byPointer{Base: &tentacle.Base{}}
	o := &own{}
	cases := []struct {
		name string
		impl any
		want bool
		err  bool
		got  func() *tentacle.Context
	}{
		{"embedded value", p, true, false, func() *tentacle.Context { return p.Context() }},
		{"embedded pointer", bp, true, false, func() *tentacle.Context { return bp.Context() }},
		{"own SetContext", o, true, false, func() *tentacle.Context { return o.got }},
		{"nil", nil, false, false, nil},
		{"not a struct", func() {}, false, false, nil},
		{"struct value (not addressable)", plain{}, false, true, nil},
		{"nil embedded pointer", &byPointer{}, false, true, nil},
		{"no base", &struct{ N int }{}, false, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tier.InjectBase(tc.impl, c)
			if got != tc.want || (err != nil) != tc.err {
				t.Fatalf("InjectBase = %v, %v; want %v, error %v", got, err, tc.want, tc.err)
			}
			if tc.got != nil && tc.got() != c {
				t.Error("context not injected")
			}
		})
	}
}

func TestDefinitionsSource(t *testing.T) {
	impl := &plain{}
	src := tier.Definitions("mine", false, map[string]*tentacle.Definition{
		"b_ok":    {Name: "B", Version: "2.0", Implementation: impl},
		"a_nil":   nil,
		"Bad-Id":  {Name: "bad"},
		"c_empty": {},
	})
	cands, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cands {
		ids = append(ids, c.ID)
	}
	if want := []string{"Bad-Id", "a_nil", "b_ok", "c_empty"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want sorted %v", ids, want)
	}
	if cands[0].Invalid == nil || cands[0].Load != nil {
		t.Error("invalid identifier not reported")
	}
	if !cands[1].NotAPlugin || cands[1].Load != nil {
		t.Error("nil definition not reported as not a plugin")
	}
	b := cands[2]
	if b.Metadata.Name != "B" || b.Metadata.Version != "2.0" || b.Bundled || b.Origin != "mine" || b.Tier != tier.BuiltinTier {
		t.Errorf("candidate %+v", b)
	}
	inst, err := b.Load(context.Background(), tier.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := inst.As(reflect.TypeFor[tentacle.Initializer]()); !ok || v != impl {
		t.Error("Initializer not detected")
	}
	if _, ok := inst.As(reflect.TypeFor[tentacle.EnableListener]()); ok {
		t.Error("EnableListener detected on a type without the method")
	}
	if _, ok := inst.As(reflect.TypeFor[plain]()); ok {
		t.Error("a non-interface type was accepted as a mixin")
	}
	if err := inst.Close(); err != nil {
		t.Error(err)
	}
	empty, _ := cands[3].Load(context.Background(), tier.Env{})
	if _, ok := empty.As(reflect.TypeFor[tentacle.Initializer]()); ok {
		t.Error("mixin detected on a plugin without implementation")
	}
}

func TestBundled(t *testing.T) {
	cands, err := tier.Bundled().Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if !c.Bundled || c.Origin != tier.OriginBundled {
			t.Errorf("bundled candidate %q: bundled=%v origin=%q", c.ID, c.Bundled, c.Origin)
		}
	}
}

type promoter struct{}

func (promoter) Promoted() {}

type marked struct{ promoter }

func (*marked) RestartNeedingPlugin() {}

func (*marked) hidden() {}

var _ = (*marked).hidden

// TestDeclarationOf reads what a compiled-in definition declares without
// calling any of its functions: its hooks, the methods of its
// implementation (promoted ones included) and its overlay, known unless a
// Check or Load function could change them first.
func TestDeclarationOf(t *testing.T) {
	loaded := false
	tests := []struct {
		name string
		def  *tentacle.Definition
		want *tier.Declaration
	}{
		{"empty", &tentacle.Definition{}, &tier.Declaration{Hooks: []string{}, HooksKnown: true, MethodsKnown: true, SettingsOverlayKnown: true}},
		{"everything", &tentacle.Definition{
			Hooks:           tentacle.Hooks{"b.hook": func() {}, "a.hook": tentacle.Hook(func() {}, 5)},
			Implementation:  &marked{},
			SettingsOverlay: map[string]any{"a": 1},
		}, &tier.Declaration{
			Hooks: []string{"a.hook", "b.hook"}, HooksKnown: true,
			// Its own method and the one of its embedded type; not the
			// unexported one.
			Methods:         []string{"Promoted", "RestartNeedingPlugin"},
			MethodsKnown:    true,
			SettingsOverlay: true, SettingsOverlayKnown: true,
		}},
		{"with Load", &tentacle.Definition{
			Hooks: tentacle.Hooks{"a.hook": func() {}},
			Load:  func() error { loaded = true; return nil },
		}, &tier.Declaration{Hooks: []string{"a.hook"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tier.DeclarationOf(tt.def)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DeclarationOf = %+v, want %+v", got, tt.want)
			}
			cands, err := tier.Definitions("mine", false, map[string]*tentacle.Definition{"p": tt.def}).Scan(context.Background())
			if err != nil || len(cands) != 1 || !reflect.DeepEqual(cands[0].Declares(), tt.want) {
				t.Errorf("candidate's Declares() = %+v (%v), want %+v", cands[0].Declares(), err, tt.want)
			}
		})
	}
	if loaded {
		t.Error("Load was called")
	}
}
