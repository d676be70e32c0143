package cli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/source"
)

// goBuildFlags are the build flags of the go commands the tests run in
// generated folders (see race_test.go).
var goBuildFlags []string

// goIn runs the go command in dir, with no workspace, and fails the test
// if it fails.
func goIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
}

// TestNew writes a skeleton of each tier with tentacle plugins new, outside
// any module, and checks that it is ready as it is: go vet and its own test
// pass in its folder (the test runs it in a test host, through the tier's
// harness), and then, by tier: the source plugin lints with no problem at
// all and runs in the server's plugins folder; the process plugin packs
// into a package that the server's packages folder runs.
func TestNew(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests generated modules")
	}
	tests := []struct {
		tier  string
		id    string
		files []string
		then  func(t *testing.T, dir string)
	}{
		{tier: "builtin", id: "hello", files: []string{"hello.go", "hello_test.go", "go.mod", "go.sum"}},
		{tier: "source", id: "weather_station", files: []string{"weather_station.go", "weather_station_test.go", "go.mod", "go.sum"}, then: sourceRuns},
		{tier: "process", id: "greeter_proc", files: []string{"main.go", "main_test.go", "go.mod", "go.sum", ".gitignore"}, then: processRuns},
	}
	for _, tt := range tests {
		t.Run(tt.tier, func(t *testing.T) {
			parent := t.TempDir()
			code, stdout, stderr := run("plugins", "new", tt.id, "--tier", tt.tier, "--dir", parent)
			if code != 0 || stderr != "" {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			dir := filepath.Join(parent, tt.id)
			for _, f := range tt.files {
				if !strings.Contains(stdout, "  "+f+" ") {
					t.Errorf("the output does not list %s:\n%s", f, stdout)
				}
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 1 {
				t.Errorf("%s holds %d entries, want only %s/", parent, len(entries), tt.id)
			}
			if !strings.Contains(stdout, "with a replace directive") {
				t.Errorf("the output does not say where the tentacle module comes from:\n%s", stdout)
			}
			goIn(t, dir, append([]string{"vet"}, append(goBuildFlags, "./...")...)...)
			goIn(t, dir, append([]string{"test", "-count=1"}, append(goBuildFlags, "./...")...)...)
			if tt.then != nil {
				tt.then(t, dir)
			}
		})
	}
}

// sourceRuns lints the source skeleton in dir and runs it from the plugins
// folder of a base directory, through the server's origins and mixins.
func sourceRuns(t *testing.T, dir string) {
	id := filepath.Base(dir)
	r := source.Lint(context.Background(), dir, source.LintOptions{Mixins: server.Mixins()})
	if len(r.Problems) != 0 || r.ID != id {
		t.Errorf("lint: %+v", r)
	}
	base := t.TempDir()
	if err := os.CopyFS(filepath.Join(base, "plugins", id), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	m := startServerManager(t, base)
	callGreet(t, m, id, "Hello, Ada")
}

// processRuns packs the process skeleton in dir with tentacle plugins pack,
// installs the package by copying it into a base directory's packages
// folder and runs it through the server's origins and mixins.
func processRuns(t *testing.T, dir string) {
	id := filepath.Base(dir)
	code, stdout, stderr := run("plugins", "pack", dir)
	if code != 0 {
		t.Fatalf("pack: exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	base := t.TempDir()
	if err := os.CopyFS(filepath.Join(base, "packages", id), os.DirFS(filepath.Join(dir, "dist", id))); err != nil {
		t.Fatal(err)
	}
	m := startServerManager(t, base)
	callGreet(t, m, id, "Hello, Ada")
}
