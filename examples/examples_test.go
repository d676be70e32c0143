// Package examples holds the worked example plugins of the documentation
// that are modules of their own; its test builds them and runs them, so
// that they never rot.
package examples

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestGreeter builds examples/greeter as its README says, installs it by
// hand into a packages folder, and runs it as a process plugin.
func TestGreeter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin executable")
	}
	base := t.TempDir()
	pkg := filepath.Join(base, "packages", "greeter")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(pkg, "tentacle-plugin-greeter")
	build := exec.Command("go", "build", "-o", exe, ".")
	build.Dir = "greeter"
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/greeter: %v\n%s", err, out)
	}
	// Run by hand, it says what it is and exits with an error.
	out, err := exec.Command(exe).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), `is the tentacle plugin "greeter"`) || !strings.Contains(string(out), "packages/greeter/") {
		t.Errorf("run by hand: %v\n%s", err, out)
	}
	sum, err := process.FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	manifest := "id: greeter\nname: Greeter\nversion: 1.0.0\ncompat: \">=1.0, <2\"\nsha256: " + sum + "\n"
	if err := os.WriteFile(filepath.Join(pkg, "plugin.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
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
