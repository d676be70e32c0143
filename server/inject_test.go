package server_test

import (
	"context"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

type fakeBus struct{ server.EventBus }

type embedsBase struct{ tentacle.Base }

type embedsBasePointer struct{ *tentacle.Base }

// namedBase stands for an interpreted plugin: its Base is a field whose
// methods the type's method set does not show.
type namedBase struct{ Base tentacle.Base }

type noBase struct{ Name string }

func TestBusFindsTheInjectedBus(t *testing.T) {
	bus := &fakeBus{}
	ctx, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{
		Identifier: "demo",
		Injected:   map[string]any{server.InjectEventBus: bus},
	})
	defer cancel()
	withBase := func(b *tentacle.Base) *tentacle.Base { b.SetContext(ctx); return b }

	e := &embedsBase{}
	withBase(&e.Base)
	ep := &embedsBasePointer{Base: withBase(&tentacle.Base{})}
	n := &namedBase{}
	withBase(&n.Base)

	tests := []struct {
		name string
		p    any
		want server.EventBus
	}{
		{"context", ctx, bus},
		{"base", withBase(&tentacle.Base{}), bus},
		{"embedded base", e, bus},
		{"embedded *base", ep, bus},
		{"base field (interpreted plugin)", n, bus},
		{"base not injected yet", &embedsBase{}, nil},
		{"no base", &noBase{}, nil},
		{"nil embedded *base", &embedsBasePointer{}, nil},
		{"nil", nil, nil},
		{"not a struct", 42, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := server.Bus(tt.p); got != tt.want {
				t.Errorf("Bus(%T) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}
