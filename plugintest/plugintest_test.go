package plugintest_test

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugintest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type greeter struct{ tentacle.Base }

func (g *greeter) SettingsDefaults() map[string]any { return map[string]any{"greeting": "hello"} }

func (g *greeter) Initialize() error {
	g.Logger().Info("ready", "greeting", g.Settings().GetString("greeting"))
	return nil
}

func newGreeter() *tentacle.Definition {
	g := &greeter{}
	return &tentacle.Definition{
		Name:           "Greeter",
		Version:        "1.0.0",
		Implementation: g,
		Helpers: tentacle.Helpers{"greet": func(name string) string {
			return g.Settings().GetString("greeting") + ", " + name
		}},
		Hooks: tentacle.Hooks{"test.rewrite": tentacle.Hook(func(s string) string { return s + "!" }, 5)},
	}
}

type rewriteHook func(string) string

func declare(r *hooks.Registry) { hooks.MustDeclare[rewriteHook](r, hooks.Spec{Name: "test.rewrite"}) }

func TestHarness(t *testing.T) {
	h := plugintest.New(t, "greeter", newGreeter(), plugintest.Options{
		Config:  "plugins:\n  greeter:\n    greeting: hi\n",
		Declare: declare,
	})
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	greet, ok := h.Helper("greet").(func(string) string)
	if !ok {
		t.Fatalf("greet helper has type %T", h.Helper("greet"))
	}
	if got := greet("Ada"); got != "hi, Ada" {
		t.Errorf("greet = %q", got)
	}
	if hs := h.Handlers("test.rewrite"); len(hs) != 1 || hs[0].Order != 5 {
		t.Errorf("handlers = %+v", hs)
	}
	if !h.Logged("ready", "greeting=hi", "plugin=greeter") {
		t.Errorf("log does not show the plugin's initialize:\n%s", h.Logs())
	}
	if _, err := h.Disable(); err != nil {
		t.Fatal(err)
	}
	if h.Helper("greet") != nil || h.Info().Enabled {
		t.Error("still enabled after Disable")
	}
}

func TestHarnessReportsPluginErrors(t *testing.T) {
	// The hook is not declared, so the enable fails as in a real host.
	h := plugintest.New(t, "greeter", newGreeter(), plugintest.Options{})
	var le *manager.LifecycleError
	if !errors.As(h.Err(), &le) || le.Phase != manager.PhaseRegister {
		t.Fatalf("Err() = %v, want a register-phase error", h.Err())
	}
}
