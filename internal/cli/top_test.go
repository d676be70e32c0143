package cli_test

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// TestPluginsTopOnce runs `plugins top --once` against a running server
// with one compiled-in plugin, and without a server.
func TestPluginsTopOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("plugins:\n  _autoEnable: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("--basedir", dir, "plugins", "top", "--once"); code != 1 || !strings.Contains(stderr, "no tentacle server runs") {
		t.Errorf("without a server: status %d, stderr %q", code, stderr)
	}
	routed := &tentacle.Definition{Name: "routed", Version: "1.0.0", Hooks: tentacle.Hooks{
		server.HookHTTPRoutes: func() []server.Route { return nil },
	}}
	srv, err := serve.New(serve.Options{BaseDir: dir, Port: -1, Console: io.Discard,
		Origins: []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{"routed": routed})}})
	runServer(t, srv, err)

	code, stdout, stderr := run("--basedir", dir, "plugins", "top", "--once", "--interval", "50ms")
	if code != 0 {
		t.Fatalf("plugins top --once: status %d, stderr %s", code, stderr)
	}
	for _, re := range []string{
		`(?m)^tentacle plugins top: http://\S+, 1 plugins, over \d+\.\ds$`,
		`(?m)^\s*PLUGIN\s+TIER\s+CALLS/S\s+SKIPPED/S\s+ERRORS\s+PANICS\s+OVERRUNS\s+MEAN\s+P99\s+RSS\s+CPU\s*$`,
		`(?m)^\s*routed\s+builtin\s+0\.0\s+0\.0\s+0\s+0\s+0\s+-\s+-\s+-\s+-\s*$`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("output does not match %s:\n%s", re, stdout)
		}
	}
	if code, _, stderr := run("--basedir", dir, "plugins", "top", "--once", "--interval", "0s"); code != 2 || !strings.Contains(stderr, "--interval") {
		t.Errorf("--interval 0s: status %d, stderr %q", code, stderr)
	}
}
