package plugintest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// NewSource runs the source plugin in dir as id, as the tentacle server runs
// its plugins folder: dir, a folder of Go files (one package) or a single
// <id>.go file, is copied into the test host's plugins folder as <id>/ (or
// <id>.go), read there by the source tier (its metadata from the Plugin
// literal, without running it) and run by the interpreter, and a host
// running it (plus opts.Others, compiled in) is started as New does. Files
// and folders whose names start with "." are not copied, and the tier
// ignores test files, so a plugin's own test, in its folder, runs it with
// NewSource(t, id, ".", opts). Its helpers and hook handlers are the
// interpreter's functions, of the types the plugin declares them with;
// opts.Mixins are needed for the host to reach the implementation as a
// host mixin (the generic ones of package tentacle are always detected).
func NewSource(t testing.TB, id, dir string, opts Options) *Harness {
	t.Helper()
	base := t.TempDir()
	store := openConfig(t, base, opts)
	plugins := filepath.Join(base, "plugins")
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	dst := filepath.Join(plugins, id)
	if !fi.IsDir() {
		dst += ".go"
	}
	if err := copyPlugin(dir, dst); err != nil {
		t.Fatalf("plugintest: copy the plugin into the plugins folder: %v", err)
	}
	sources := []tier.Origin{source.New(plugins, opts.Source)}
	if defs := others(nil, opts); len(defs) > 0 {
		sources = append([]tier.Origin{tier.Definitions("plugintest", false, defs)}, sources...)
	}
	return start(t, id, base, store, sources, opts)
}

// copyPlugin copies the file or folder src to dst, leaving out names that
// start with "." (version control, editors' files). Links are followed.
func copyPlugin(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if rel == "." {
			target = dst
		}
		switch {
		case fi.IsDir():
			return os.MkdirAll(target, 0o755)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
		return nil
	})
}

// NewProcess builds the process plugin whose main package is in the folder
// pkg (with the go command, in that folder, so that a plugin with a go.mod
// of its own builds as its author builds it; with the race detector when
// the test has it), installs it as id into the test host's packages folder
// with a plugin.yaml, and starts a host running it (plus opts.Others,
// compiled in) as New does. Its helpers are then functions
// func(args ...any) ([]json.RawMessage, error), as every host gets them
// from a process plugin.
func NewProcess(t testing.TB, id, pkg string, opts Options) *Harness {
	t.Helper()
	dir := t.TempDir()
	store := openConfig(t, dir, opts)
	pkgs := filepath.Join(dir, "packages")
	exe := filepath.Join(pkgs, id, process.ExecutablePrefix+id)
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	args := []string{"build", "-o", exe}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = pkg
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("plugintest: go build in %s: %v\n%s", pkg, err, out)
	}
	sum, err := process.FileSHA256(exe)
	if err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	m := process.Manifest{ID: id, Name: id, Version: "0.0.0-test", SHA256: sum}
	manifest, err := m.Marshal()
	if err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	if err := os.WriteFile(filepath.Join(pkgs, id, process.ManifestFile), manifest, 0o644); err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	sources := []tier.Origin{process.New(pkgs, opts.Process)}
	if defs := others(nil, opts); len(defs) > 0 {
		sources = append([]tier.Origin{tier.Definitions("plugintest", false, defs)}, sources...)
	}
	return start(t, id, dir, store, sources, opts)
}
