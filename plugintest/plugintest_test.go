package plugintest_test

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proctest"
	"github.com/tentacle-go/tentacle/internal/wire"
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

// TestNewProcess runs a process plugin from its main package: built,
// installed with a manifest, started in its own process, its hooks and
// helpers reached across the boundary; its process ends with the test.
func TestNewProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin executable")
	}
	var pid int
	t.Run("run", func(t *testing.T) {
		h := plugintest.NewProcess(t, "hello", "../tier/process/testdata/hello", plugintest.Options{
			Config: "plugins:\n  hello:\n    greeting: Ahoy\n",
			Declare: func(r *hooks.Registry) {
				for _, name := range []string{"test.line", "test.greet"} {
					hooks.MustDeclare[func(string) string](r, hooks.Spec{Name: name})
				}
			},
		})
		if err := h.Err(); err != nil {
			t.Fatal(err)
		}
		in := h.Info()
		if in.Tier != "process" || !in.Enabled || in.Process == nil || in.Process.PID == 0 {
			t.Fatalf("tier %q, enabled %v, process %+v", in.Tier, in.Enabled, in.Process)
		}
		pid = in.Process.PID
		if hs := h.Handlers("test.greet"); len(hs) != 1 {
			t.Fatalf("handlers of test.greet: %v", hs)
		}
		greet := h.Handlers("test.greet")[0].Func.(func(string) string)
		if got := greet("Ada"); got != "Ahoy, Ada" {
			t.Errorf("greet: %q", got)
		}
		upper, ok := h.Helper("upper").(wire.RemoteFunc)
		if !ok {
			t.Fatalf("helper upper is %T", h.Helper("upper"))
		}
		res, err := upper("g1")
		if err != nil || len(res) != 1 || string(res[0]) != `"G1"` {
			t.Errorf("upper: %s, %v", res, err)
		}
	})
	proctest.SkipUnsupported(t) // the process's end cannot be checked here
	if !proctest.Gone(pid) {
		t.Errorf("the plugin's process %d runs after its test", pid)
	}
}
