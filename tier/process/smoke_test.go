package process_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/host"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/process/wire"
)

type lineHook func(string) string

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "packages", "hello")
	os.MkdirAll(pkg, 0o755)
	exe := filepath.Join(pkg, "tentacle-plugin-hello")
	out, err := exec.Command("go", "build", "-o", exe, "./testdata/hello").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sha, _ := process.FileSHA256(exe)
	os.WriteFile(filepath.Join(pkg, "plugin.yaml"), []byte("id: hello\nname: Hello\nversion: 1.0.0\nsha256: "+sha+"\n"), 0o644)
	m, err := manager.New(manager.Options{
		Sources: []tier.Source{process.New(filepath.Join(dir, "packages"), process.Options{})},
		BaseDir: dir,
		Mixins:  []manager.MixinSpec{manager.Mixin[host.SimpleAPI]("SimpleApiPlugin", false, false)},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := hooks.MustDeclare[lineHook](m.Hooks(), hooks.Spec{Name: "test.line"})
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	in, _ := m.Info("hello")
	t.Logf("%+v", in)
	line := "g1 x1"
	h.Call(func(hd hooks.Handler[lineHook]) { line = hd.Fn(line) })
	if line != "G1 X1" {
		t.Errorf("line %q", line)
	}
	div := m.PluginManager().Helpers("hello", "divide")["divide"].(wire.RemoteFunc)
	res, err := div(7, 0)
	t.Logf("divide: %s %v", res, err)
	p, _ := m.Plugin("hello")
	api, _ := manager.As[host.SimpleAPI](p)
	v, err := api.OnAPICommand("greet", map[string]any{"name": "Ada"})
	b, _ := json.Marshal(v)
	t.Logf("greet: %s %v", b, err)
	_, err = api.OnAPICommand("greet", map[string]any{"name": ""})
	t.Logf("greet empty: %#v", err)
	_ = tentacle.APIVersion
}
