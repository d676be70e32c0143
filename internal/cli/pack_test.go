package cli_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestPack packs process plugins with tentacle plugins pack (a fixture with
// every metadata field, and the worked example), installs each package by
// copying it into a base directory's packages folder, and runs it through
// the server's origins and mixins; packing again replaces the package.
func TestPack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugin executables")
	}
	tests := []struct {
		name string
		dir  string
		want process.Manifest // its SHA256 is the executable's
		run  func(t *testing.T, base string)
	}{
		{
			name: "every field",
			dir:  "testdata/pack/full",
			want: process.Manifest{ID: "full", Name: "Full: every field", Version: "1.2.3", Description: "Has every metadata field.",
				Author: "Ada <ada@example.com>", URL: "https://example.com/full", License: "Apache-2.0",
				PrivacyPolicy: "https://example.com/full/privacy", Compat: ">=1.0, <2", Executable: "tentacle-plugin-full"},
			run: func(t *testing.T, base string) {
				m := startServerManager(t, base)
				in, _ := m.Info("full")
				if !in.Enabled || in.Author != "Ada <ada@example.com>" || in.PrivacyPolicy != "https://example.com/full/privacy" {
					t.Fatalf("full: %+v", in)
				}
				twice, ok := m.PluginManager().Helpers("full", "twice")["twice"].(wire.RemoteFunc)
				if !ok {
					t.Fatal("no helper twice")
				}
				if res, err := twice(21); err != nil || len(res) != 1 || string(res[0]) != "42" {
					t.Errorf("twice(21) = %s, %v", res, err)
				}
			},
		},
		{
			name: "worked example",
			dir:  "../../examples/greeter",
			want: process.Manifest{ID: "greeter", Name: "Greeter", Version: "1.0.0", Description: "Greets, as a separate process.",
				Author: "The Tentacle Authors", License: "Apache-2.0", Compat: ">=1.0, <2", Executable: "tentacle-plugin-greeter"},
			run: func(t *testing.T, base string) { callGreet(t, startServerManager(t, base), "greeter", "Hello, Ada") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := run("plugins", "pack", tt.dir, "--out", out)
			if code != 0 || stderr != "" {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			pkg := filepath.Join(out, tt.want.ID)
			got, err := process.ReadManifest(filepath.Join(pkg, process.ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := process.FileSHA256(filepath.Join(pkg, tt.want.Executable))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.SHA256 = sum
			if *got != tt.want {
				t.Errorf("plugin.yaml:\n%+v\nwant\n%+v", *got, tt.want)
			}
			if !strings.Contains(stdout, "sha256 "+sum) || !strings.Contains(stdout, "install: cp -r "+pkg+" <basedir>/packages/") {
				t.Errorf("stdout:\n%s", stdout)
			}
			assertOnly(t, out, tt.want.ID)
			assertOnly(t, pkg, tt.want.Executable, process.ManifestFile)

			base := t.TempDir()
			if err := os.CopyFS(filepath.Join(base, "packages", tt.want.ID), os.DirFS(pkg)); err != nil {
				t.Fatal(err)
			}
			tt.run(t, base)

			code, stdout, _ = run("plugins", "pack", tt.dir, "--out", out)
			if code != 0 || !strings.Contains(stdout, "it replaces the package that was there") {
				t.Errorf("packing again: exit status %d\n%s", code, stdout)
			}
			assertOnly(t, out, tt.want.ID)
		})
	}
}

// TestPackFails: what pack refuses, and that a failure writes nothing, not
// even the --out folder it would have made.
func TestPackFails(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugin executables")
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{name: "no Go files", args: []string{t.TempDir()}, code: 1, want: "no Go files to build"},
		{name: "no such folder", args: []string{filepath.Join(t.TempDir(), "nothing")}, code: 1, want: "no such file or directory"},
		{name: "not a main package", args: []string{"testdata/pack/library"}, code: 1, want: "is package library, not a main package"},
		{name: "build fails", args: []string{"testdata/pack/broken"}, code: 1, want: `cannot use "not a number"`},
		{name: "does not describe itself", args: []string{"testdata/pack/exits"}, code: 1, want: "exits: no configuration, giving up"},
		{name: "another id", args: []string{"testdata/pack/full", "--id", "other"}, code: 1, want: `serves itself as "full"`},
		{name: "invalid id", args: []string{"testdata/pack/full", "--id", "Bad-Id"}, code: 2, want: `invalid identifier "Bad-Id"`},
		{name: "no folder", code: 2, want: "missing the folder of the plugin's main package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := run(append(append([]string{"plugins", "pack"}, tt.args...), "--out", out)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || !strings.HasPrefix(stderr, "tentacle: ") {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s\nwant in stderr: %q", code, tt.code, stdout, stderr, tt.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("--out %s is left behind (stat: %v)", out, err)
			}
		})
	}
}

// assertOnly fails the test unless dir holds exactly names (a dir that
// does not exist holds nothing).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
