// Package examples holds the worked example plugins of the documentation
// that are modules of their own; its test builds them and runs them, so
// that they never rot.
package examples

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/pack"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestGreeter packs examples/greeter as its README says (tentacle plugins
// pack, here straight into a packages folder) and runs it as a process
// plugin.
func TestGreeter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin executable")
	}
	base := t.TempDir()
	packed, err := pack.Pack(context.Background(), pack.Options{Dir: "greeter", Out: filepath.Join(base, "packages")})
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(base, "packages", "greeter", "tentacle-plugin-greeter")
	if packed.Executable != exe || packed.Manifest.Name != "Greeter" || packed.Manifest.Compat != ">=1.0, <2" {
		t.Errorf("packed %+v", packed)
	}
	// Run by hand, it says what it is and exits with an error.
	out, err := exec.Command(exe).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), `is the tentacle plugin "greeter"`) || !strings.Contains(string(out), "packages/greeter/") {
		t.Errorf("run by hand: %v\n%s", err, out)
	}
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{process.New(filepath.Join(base, "packages"), process.Options{})},
		BaseDir: base,
		Mixins:  server.Mixins(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)
	in, _ := m.Info("greeter")
	if !in.Enabled || in.Tier != tier.ProcessTier || in.Process == nil || in.Process.PID == 0 {
		t.Fatalf("greeter: %+v", in)
	}
	p, _ := m.Plugin("greeter")
	api, ok := manager.As[server.SimpleAPI](p)
	if !ok {
		t.Fatal("greeter's SimpleAPI not reached")
	}
	res, err := api.OnAPICommand("greet", map[string]any{"name": "Ada"})
	if got, _ := res.(map[string]any); err != nil || got["text"] != "Hello, Ada" {
		t.Errorf("greet = %v, %v", res, err)
	}
	if _, err := api.OnAPICommand("greet", map[string]any{"name": ""}); err == nil {
		t.Error("greet without a name succeeded")
	}
	var shout func(string) string
	if err := m.PluginManager().Helper("greeter", "shout", &shout); err != nil {
		t.Fatal(err)
	}
	if got := shout("hi"); got != "HI" {
		t.Errorf("shout = %q", got)
	}
}
