package pluginops

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/install"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server/bundled"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

// fixture writes testdata/<name>.go.txt as <dir>/<file>, with VERSION
// replaced by version, and returns its path.
func fixture(t *testing.T, dir, name, file, version string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(src), "VERSION", version)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// opsFor returns Ops on a started manager over base's plugins folder.
func opsFor(t *testing.T, base string) (*Ops, *manager.Manager) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(base, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		BaseDir: base,
		Origins: []tier.Origin{source.New(filepath.Join(base, "plugins"), source.Options{})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown(context.Background()) })
	ops, err := New(Options{Manager: m, Install: install.Options{BaseDir: base}})
	if err != nil {
		t.Fatal(err)
	}
	return ops, m
}

func TestInstall(t *testing.T) {
	tests := []struct {
		name string
		// installed, if set, is hello at this version, installed first.
		installed string
		req       func(t *testing.T, in string) bundled.InstallRequest
		// wantErr is a substring of the error; "" for success.
		wantErr string
		// wantIs is an error the install's error wraps.
		wantIs error
		// want is the plugin and version running afterwards ("" for none).
		want, wantVersion string
		wantAction        string
	}{{
		name: "new plugin is enabled",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			return bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", "1.0.0")}
		},
		want: "hello", wantVersion: "1.0.0", wantAction: "enable",
	}, {
		name:      "reinstall replaces and reloads",
		installed: "1.0.0",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			return bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", "2.0.0"), Reinstall: "hello"}
		},
		want: "hello", wantVersion: "2.0.0", wantAction: "reload",
	}, {
		name:      "install over an installed plugin without reinstall is refused",
		installed: "1.0.0",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			return bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", "2.0.0")}
		},
		wantIs: install.ErrInstalled,
		want:   "hello", wantVersion: "1.0.0",
	}, {
		name: "reinstall of another plugin is refused",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			return bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", "1.0.0"), Reinstall: "other"}
		},
		wantIs: install.ErrLayout,
	}, {
		name: "a new plugin that fails to enable is taken out",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			return bundled.InstallRequest{Path: fixture(t, in, "failing", "failing.go", "")}
		},
		wantErr: "no printer attached",
	}, {
		name:      "a replacement that does not compile leaves the installed version running",
		installed: "1.0.0",
		req: func(t *testing.T, in string) bundled.InstallRequest {
			path := fixture(t, in, "hello", "hello.go", "2.0.0")
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteString("\nfunc broken() { undefined() }\n"); err != nil {
				t.Fatal(err)
			}
			return bundled.InstallRequest{Path: path, Reinstall: "hello"}
		},
		wantErr: "undefined",
		want:    "hello", wantVersion: "1.0.0",
	}, {
		name:    "an identifier without a repository",
		req:     func(*testing.T, string) bundled.InstallRequest { return bundled.InstallRequest{RepositoryID: "hello"} },
		wantErr: "no plugin repository is configured",
	}, {
		name:    "nothing to install",
		req:     func(*testing.T, string) bundled.InstallRequest { return bundled.InstallRequest{} },
		wantErr: "nothing to install",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, in := t.TempDir(), t.TempDir()
			ops, m := opsFor(t, base)
			ctx := context.Background()
			if tc.installed != "" {
				if _, err := ops.Install(ctx, bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", tc.installed)}, Report{}); err != nil {
					t.Fatalf("first install: %v", err)
				}
			}
			var lines []string
			got, err := ops.Install(ctx, tc.req(t, in), Report{Log: func(stream, line string) { lines = append(lines, stream+": "+line) }})
			switch {
			case tc.wantErr == "" && tc.wantIs == nil && err != nil:
				t.Fatalf("Install: %v\nlog: %q", err, lines)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Install error %v; want one with %q", err, tc.wantErr)
			case tc.wantIs != nil && !errors.Is(err, tc.wantIs):
				t.Fatalf("Install error %v; want %v", err, tc.wantIs)
			}
			if err == nil {
				if got.Plugin != tc.want || got.Version != tc.wantVersion || got.Change.Action != tc.wantAction || got.Path == "" {
					t.Errorf("Install = %+v", got)
				}
				if len(lines) == 0 || !strings.HasPrefix(lines[0], "message: Installing plugin from ") || !strings.HasPrefix(lines[len(lines)-1], "stdout: Installed ") {
					t.Errorf("log lines %q", lines)
				}
			}
			running := map[string]string{}
			for _, info := range m.List() {
				if info.Enabled {
					running[info.Key] = info.Version
				}
			}
			wantRunning := map[string]string{}
			if tc.want != "" {
				wantRunning[tc.want] = tc.wantVersion
			}
			if !maps.Equal(running, wantRunning) {
				t.Errorf("running after the install: %v; want %v", running, wantRunning)
			}
			staging, _ := os.ReadDir(filepath.Join(base, install.StagingDir))
			plugins, _ := os.ReadDir(filepath.Join(base, "plugins"))
			if len(plugins) != len(wantRunning) {
				t.Errorf("plugins folder holds %v; want %d entries", names(plugins), len(wantRunning))
			}
			if len(staging) != 0 {
				t.Errorf("left in staging: %v", names(staging))
			}
		})
	}
}

// A second install while one runs is refused at once with ErrBusy.
func TestInstallBusy(t *testing.T) {
	base, in := t.TempDir(), t.TempDir()
	ops, _ := opsFor(t, base)
	ops.busy.Lock() // an install under way
	_, err := ops.Install(context.Background(), bundled.InstallRequest{Path: fixture(t, in, "hello", "hello.go", "1.0.0")}, Report{})
	ops.busy.Unlock()
	if !errors.Is(err, install.ErrBusy) {
		t.Fatalf("Install while busy: %v; want ErrBusy", err)
	}
	if _, err := os.Stat(filepath.Join(base, "plugins", "hello.go")); !os.IsNotExist(err) {
		t.Errorf("a refused install wrote the plugin: %v", err)
	}
}

func names(des []os.DirEntry) []string {
	var out []string
	for _, e := range des {
		out = append(out, e.Name())
	}
	return out
}
