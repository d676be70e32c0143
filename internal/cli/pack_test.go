package cli_test

import (
	"context"
	"debug/elf"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/internal/pack"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
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
				PrivacyPolicy: "https://example.com/full/privacy", Compat: ">=1.0, <2", Executable: "tentacle-plugin-full",
				Declares: &process.Declares{Hooks: []string{"tentacle.plugin.full.note"},
					Mixins:        []string{"tentacle.Initializer", "tentacle.RestartNeeding"},
					MixinsChecked: serverMixinNames(), SettingsOverlay: true}},
			run: func(t *testing.T, base string) {
				// Disabled at start, it is listed restart-needing from its
				// plugin.yaml, without running; enabled, its code agrees.
				reasons := []string{"implements tentacle.RestartNeeding", "has a settings overlay"}
				if in := disabledAtStart(t, base, "full"); in.Loaded || in.RestartNeedingUnknown || !slices.Equal(in.RestartNeeding, reasons) {
					t.Errorf("disabled at start: loaded=%v restart_needing=%q unknown=%v, want %q",
						in.Loaded, in.RestartNeeding, in.RestartNeedingUnknown, reasons)
				}
				m := startServerManager(t, base)
				in, _ := m.Info("full")
				if !in.Enabled || in.Author != "Ada <ada@example.com>" || in.PrivacyPolicy != "https://example.com/full/privacy" {
					t.Fatalf("full: %+v", in)
				}
				if !slices.Equal(in.RestartNeeding, reasons) {
					t.Errorf("enabled: restart_needing=%q, want %q", in.RestartNeeding, reasons)
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
				Author: "The Tentacle Authors", License: "Apache-2.0", Compat: ">=1.0, <2", Executable: "tentacle-plugin-greeter",
				Declares: &process.Declares{Hooks: []string{},
					Mixins: []string{"server.Blueprint", "server.EventHandler", "server.SimpleAPI",
						"tentacle.Initializer", "tentacle.SettingsPlugin"},
					MixinsChecked: serverMixinNames()}},
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
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("plugin.yaml mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(stdout, "sha256 "+sum) || !strings.Contains(stdout, "install: cp -r "+pkg+" <basedir>/packages/") {
				t.Errorf("stdout:\n%s", stdout)
			}
			assertOnly(t, out, tt.want.ID)
			assertOnly(t, pkg, tt.want.Executable, process.ManifestFile)
			if runtime.GOOS == "linux" {
				if interp := interpreter(t, filepath.Join(pkg, tt.want.Executable)); interp != "" {
					t.Errorf("the executable is linked dynamically (interpreter %s); want it static (pack's build tags)", interp)
				}
			}

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

// interpreter returns the program interpreter (the dynamic loader) the ELF
// executable at path names, "" for none: a statically linked executable.
func interpreter(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}

// serverMixinNames are the names of the tentacle server's mixins, sorted:
// those pack checks a plugin against.
func serverMixinNames() []string {
	var names []string
	for _, mx := range pack.ServerMixins() {
		names = append(names, mx.Name())
	}
	slices.Sort(names)
	return names
}

// disabledAtStart starts a manager over base as the server does, with id
// in plugins._disabled, and returns id's listing entry.
func disabledAtStart(t *testing.T, base, id string) manager.Info {
	t.Helper()
	store := settings.New(nil)
	if err := store.Set("plugins._disabled", []any{id}); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		Origins:  serve.DefaultOrigins(base, nil, nil),
		BaseDir:  base,
		Settings: store,
		Mixins:   server.Mixins(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = m.Start(ctx) // the test binary's bundled plugins: one fails on purpose
	defer m.Shutdown(ctx)
	in, ok := m.Info(id)
	if !ok {
		t.Fatalf("%s is not listed", id)
	}
	return in
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
