package cli_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/cli"

	// The Plugin Manager and the Logging plugin, bundled as in the
	// tentacle command: the server the scripts start takes the plugins
	// and logs commands through them.
	_ "github.com/tentacle-go/tentacle/plugins/logging"
	_ "github.com/tentacle-go/tentacle/plugins/pluginmanager"
)

// update rewrites the expected output in the scripts from what the commands
// print: go test ./internal/cli -run TestScripts -update. Review the diff.
var update = flag.Bool("update", false, "update the expected output in testdata/script")

// The test binary is the tentacle command with these bundled plugins, which
// cover the states a listing shows.
func init() {
	// hello is a plain plugin with every metadata field, a hook and a
	// helper.
	tentacle.Register("hello", &tentacle.Definition{
		Name:           "Hello World",
		Version:        "1.0.0",
		Description:    "Says hello",
		Author:         "Ada",
		URL:            "https://example.com/hello",
		License:        "Apache-2.0",
		Compat:         ">=1.0, <2",
		Implementation: &hello{},
		Hooks: tentacle.Hooks{
			"tentacle.plugin.hello.sending": tentacle.Hook(func(line string) string { return line }, 10),
		},
		Helpers: tentacle.Helpers{"greet": func(name string) string { return "hello " + name }},
	})
	// counter handles hello's hook without an order (the default, 1000),
	// so that the hooks command has orders from every source to explain.
	tentacle.Register("counter", &tentacle.Definition{
		Name:    "Counter",
		Version: "0.2.0",
		Hooks: tentacle.Hooks{
			"tentacle.plugin.hello.sending": func(line string) string { return line },
		},
	})
	// restarter can only be toggled by a restart, and disabling it is
	// discouraged.
	tentacle.Register("restarter", &tentacle.Definition{
		Name:                 "Restarter",
		Version:              "2.1.0",
		DisablingDiscouraged: "the printer stops responding without it",
		Implementation:       &restarter{},
	})
	// future wants an API version no host has; bundled plugins are not
	// checked, so it still runs.
	tentacle.Register("future", &tentacle.Definition{
		Name:    "Future",
		Version: "0.1.0",
		Compat:  ">=99",
	})
	// secret is hidden: listed, never toggled.
	tentacle.Register("secret", &tentacle.Definition{
		Name:    "Secret",
		Version: "1.0.0",
		Hidden:  true,
	})
	// broken fails to load.
	tentacle.Register("broken", &tentacle.Definition{
		Name:    "Broken",
		Version: "0.0.1",
		Load:    func() error { return errors.New("cannot open /dev/ttyACM0") },
	})
}

type hello struct{ tentacle.Base }

func (*hello) Initialize() error { return nil }

type restarter struct{}

func (*restarter) RestartNeedingPlugin() {}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tentacle": func() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lsdir":       lsdir,
			"filemode":    filemode,
			"fileserver":  fileserver,
			"envsubst":    envsubst,
			"archive":     archive,
			"waitserving": waitserving,
			"twin":        twin,
		},
		Setup: func(env *testscript.Env) error {
			// The default base directory, ~/.tentacle, is inside the
			// script's work directory; no TENTACLE_BASEDIR is inherited.
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("TENTACLE_BASEDIR", "")
			// Under -race, a process sleeps 1s at exit by default; the
			// scripts start dozens.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
	})
}

// lsdir prints the names in a directory, one a line, hidden ones included:
// "lsdir DIR". It does without ls, which a machine may not have.
func lsdir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lsdir DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		fmt.Fprintln(ts.Stdout(), e.Name())
	}
}

// filemode prints the permission bits of a file in octal: "filemode FILE".
func filemode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: filemode FILE")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%o\n", fi.Mode().Perm())
}

// TestExitStatus checks the exit statuses, which scripts only see as
// success or failure: 0 success, 1 failure, 2 usage error.
func TestExitStatus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "base")
	in := func(args ...string) []string { return append([]string{"--basedir", dir}, args...) }
	tests := []struct {
		args []string
		want int
	}{
		{in(), 0},
		{in("--help"), 0},
		{in("plugins"), 0},
		{in("plugins", "list"), 0},
		{in("plugins", "info", "hello"), 0},
		{in("plugins", "info", "nosuch"), 1},
		{in("plugins", "enable", "nosuch"), 1},
		{in("plugins", "disable", "secret"), 1},
		{in("plugins", "enable", "broken"), 1},
		{in("plugins", "hooks", "tentacle.plugin.hello.sending"), 0},
		{in("plugins", "hooks", "tentacle.no.such.hook"), 1},
		{in("bogus"), 2},
		{in("plugins", "lst"), 2},
		{in("plugins", "list", "extra"), 2},
		{in("plugins", "list", "--bogus"), 2},
		{in("plugins", "info"), 2},
		{in("plugins", "enable", "a", "b"), 2},
		{in("plugins", "new", "hello"), 2},
		{in("plugins", "new", "Hello", "--tier", "source"), 2},
		{in("plugins", "new", "hello", "--tier", "python"), 2},
		{in("plugins", "pack"), 2},
		{in("plugins", "pack", filepath.Join(dir, "nothing")), 1},
		{[]string{"plugins", "list", "--basedir"}, 2},
		// The Plugin Manager's commands; a failed install leaves no base
		// directory behind either.
		{in("plugins", "install"), 2},
		{in("plugins", "install", "a", "b"), 2},
		{in("plugins", "install", "https://example.com/w.zip", "--reinstall"), 2},
		{in("plugins", "install", "w.go", "--reinstall=Not-An-ID"), 2},
		{in("plugins", "install", "nosuch"), 1},
		{in("plugins", "install", filepath.Join(dir, "nothing.zip")), 1},
		{in("plugins", "uninstall"), 2},
		{in("plugins", "uninstall", "nosuch"), 1},
		{in("plugins", "uninstall", "hello"), 1},
		{in("plugins", "orphans"), 0},
		{in("plugins", "orphans", "x"), 2},
		{in("plugins", "cleanup"), 2},
		{in("plugins", "cleanup", "x", "--all"), 2},
		{in("plugins", "cleanup", "nosuch"), 0},
		{in("plugins", "cleanup", "--all"), 0},
		{in("plugins", "cleanup", "hello"), 1},
		{in("plugins", "repository"), 1},
		{in("plugins", "repository", "a", "b"), 2},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := cli.Main(tt.args, &stdout, &stderr)
		if got != tt.want {
			t.Errorf("tentacle %s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s",
				strings.Join(tt.args, " "), got, tt.want, stdout.String(), stderr.String())
		}
		if got != 0 && !strings.HasPrefix(stderr.String(), "tentacle: ") {
			t.Errorf("tentacle %s: stderr %q, want an error starting with \"tentacle: \"", strings.Join(tt.args, " "), stderr.String())
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the base directory was created by commands that change nothing (stat: %v)", err)
	}
}
