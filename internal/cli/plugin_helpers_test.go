package cli_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/tentacle-go/tentacle/internal/cli"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// run runs the command line and returns its exit status and output.
func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = cli.Main(args, &o, &e)
	return code, o.String(), e.String()
}

// startServerManager starts a manager over base as the server does, with
// its origins and mixins, and stops it when the test ends.
func startServerManager(t *testing.T, base string) *manager.Manager {
	t.Helper()
	m, err := manager.New(manager.Options{
		Origins: serve.DefaultOrigins(base, nil, nil),
		BaseDir: base,
		Mixins:  server.Mixins(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The bundled plugins are this test binary's, one of which fails to
	// load on purpose: callers check their own plugin.
	_ = m.Start(ctx)
	t.Cleanup(func() { m.Shutdown(ctx) })
	return m
}

// callGreet calls plugin id's greet command through its simple API.
func callGreet(t *testing.T, m *manager.Manager, id, want string) {
	t.Helper()
	in, _ := m.Info(id)
	if !in.Enabled || in.Error != nil {
		t.Fatalf("%s: %+v", id, in)
	}
	p, _ := m.Plugin(id)
	api, ok := manager.As[server.SimpleAPI](p)
	if !ok {
		t.Fatalf("%s's simple API is not reached", id)
	}
	res, err := api.OnAPICommand("greet", map[string]any{"name": "Ada"})
	if got, _ := res.(map[string]any); err != nil || got["text"] != want {
		t.Errorf("greet: %v, %v; want text %q", res, err, want)
	}
}
