// Package examples holds the worked examples of the documentation that are
// modules of their own (greeter, a process plugin of the tentacle server;
// notifier, a host of its own with its plugins); its test builds them and
// runs them, so that they never rot.
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

// TestNotifier packs examples/notifier's process plugin, journal, as its
// README says, builds the notifier (a host of its own, in a module of its
// own) and runs it with the package: the journal's handler of the
// notifier's hook raises alerts, and the notifier delivers every alert
// through the journal's implementation of its mixin, in the journal's
// process, and through the compiled-in console plugin's.
func TestNotifier(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a host and a plugin executable")
	}
	base := t.TempDir()
	packages := filepath.Join(base, "packages")
	packed, err := pack.Pack(context.Background(), pack.Options{Dir: filepath.Join("notifier", "journal"), Out: packages})
	if err != nil {
		t.Fatal(err)
	}
	if packed.Manifest.ID != "journal" || packed.Manifest.Name != "Journal" || packed.Manifest.SHA256 == "" {
		t.Errorf("packed %+v", packed.Manifest)
	}
	notifier := filepath.Join(base, "notifier")
	build := exec.Command("go", "build", "-o", notifier, ".")
	build.Dir = "notifier"
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/notifier: %v\n%s", err, out)
	}

	var stdout, stderr strings.Builder
	run := exec.Command(notifier, "-packages", packages, "-basedir", base)
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("notifier: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		// Both plugins run, the journal in a process of its own.
		"plugins:\n  console  1.0.0   builtin              sends alerts, checks samples\n",
		"  journal  1.0.0   process (pid ",
		// The journal's check raised alerts, and both senders sent them.
		"#1953 greenhouse 29.7: critical alert from journal\n  console: CRITICAL greenhouse at #1953, jumped from 22.9 to 29.7\n  sent by console, journal\n",
		"#2401 boiler 47.9: warning alert from console\n  console: WARNING  boiler at #2401, below 50: 47.9\n  sent by console, journal\n",
		"checked 3000 samples in ",
		"; 7 alerts, 14 deliveries\n",
		"  journal: 0 faults, 0 overruns, 0 restarts\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The journal's lifecycle ran in its process: Initialize reached the
	// notifier's injectable, OnPluginDisabled ran at the notifier's
	// shutdown.
	for _, want := range []string{`msg="journal open"`, `sensors="[boiler freezer greenhouse]"`, `msg="journal closed"`, "alerts=7"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}
	journal, err := os.ReadFile(filepath.Join(base, "data", "journal", "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(journal)), "\n"); len(lines) != 7 || lines[2] != `{"seq":1953,"sensor":"greenhouse","level":"critical","text":"jumped from 22.9 to 29.7"}` {
		t.Errorf("journal:\n%s", journal)
	}

	// The example's module has tests of its own (the notifier in-process,
	// the journal through plugintest); this module's go test ./... does
	// not reach them.
	for _, args := range [][]string{{"vet", "./..."}, {"test", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = "notifier"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s in examples/notifier: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
