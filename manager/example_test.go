package manager_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// GcodeSendingHook is the type of a hook the host calls for every line.
type GcodeSendingHook func(line string) string

// Greeter is a host mixin.
type Greeter interface{ Greet() string }

type polite struct{ tentacle.Base }

func (p *polite) Greet() string { return "hello from " + p.Identifier() }

// A host makes itself pluggable: it declares its hooks and mixins, starts a
// manager over its plugin origins, and calls the plugins.
func Example() {
	plugins := map[string]*tentacle.Definition{
		"upper": {Name: "Upper", Version: "1.0.0",
			Hooks: tentacle.Hooks{"host.gcode.sending": tentacle.Hook(strings.ToUpper, 10)}},
		"comment": {Name: "Comment", Version: "1.0.0", Implementation: &polite{},
			Hooks: tentacle.Hooks{"host.gcode.sending": func(line string) string { return line + " ; sent" }}},
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("example", false, plugins)},
		Settings: settings.New(nil),
		Mixins:   []tentacle.Mixin{{Type: reflect.TypeFor[Greeter]()}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	sending := hooks.MustDeclare[GcodeSendingHook](m.Hooks(), hooks.Spec{Name: "host.gcode.sending"})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		panic(err)
	}
	defer m.Shutdown(ctx)

	send := func(line string) string {
		// The hot path: one atomic load, no lock, no allocation.
		for _, h := range sending.Handlers() {
			line = h.Fn(line)
		}
		return line
	}
	fmt.Println(send("g1 x10"))

	_ = manager.CallEach(m, "", func(id string, g Greeter) error {
		fmt.Println(g.Greet())
		return nil
	})

	// Disabling a plugin takes effect on the hook's next call.
	if _, err := m.Disable(ctx, "upper"); err != nil {
		panic(err)
	}
	fmt.Println(send("g1 x10"))
	for _, in := range m.List() {
		fmt.Println(in.Key, in.Enabled)
	}
	// Output:
	// G1 X10 ; sent
	// hello from comment
	// g1 x10 ; sent
	// comment true
	// upper false
}

func ExampleManager_Hooks_explain() {
	plugins := map[string]*tentacle.Definition{
		"first":  {Hooks: tentacle.Hooks{"host.ready": tentacle.Hook(func() {}, 0)}},
		"second": {Hooks: tentacle.Hooks{"host.ready": func() {}}},
	}
	store := settings.New(nil)
	_ = store.Set("plugins._sortingOrder", map[string]any{"second": map[string]any{"host.ready": 5}})
	m, _ := manager.New(manager.Options{
		Origins:  []tier.Origin{tier.Definitions("example", false, plugins)},
		Settings: store,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	hooks.MustDeclare[func()](m.Hooks(), hooks.Spec{Name: "host.ready"})
	_ = m.Start(context.Background())
	defer m.Shutdown(context.Background())
	for _, ex := range m.Hooks().Explain("host.ready") {
		fmt.Printf("%d. %s: %s\n", ex.Position, ex.Plugin, ex.Reason)
	}
	// Output:
	// 1. first: order 0 set by the plugin
	// 2. second: order 5 from config plugins._sortingOrder.second.host.ready (the plugin gives none)
}
