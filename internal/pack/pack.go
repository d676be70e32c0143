// Package pack builds a process plugin into its package, for tentacle
// plugins pack: the executable tentacle-plugin-<id> and its plugin.yaml,
// written from what the executable says of itself, in a folder <id>/ that
// is installed by copying it into <basedir>/packages/.
package pack

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/process"
)

// Options say what to pack.
type Options struct {
	// Dir is the folder of the plugin's main package.
	Dir string
	// Out is the folder the package's folder, Out/<id>, is written into;
	// default Dir/dist.
	Out string
	// ID is the plugin's identifier, for an executable that does not say
	// it; when it does, ID must agree.
	ID string
	// Timeout bounds the run in which the executable describes itself;
	// default 10 s.
	Timeout time.Duration
	// Mixins are the host mixins the executable is checked against, for
	// the manifest's declares section (the mixins it implements); default
	// the tentacle server's: tentacle.Mixins() and server.Mixins().
	Mixins []tentacle.Mixin
}

// ServerMixins are the mixins of the tentacle server, as its manager
// detects them: those of package tentacle, then those of package server.
func ServerMixins() []tentacle.Mixin { return append(tentacle.Mixins(), server.Mixins()...) }

// Result is what Pack wrote.
type Result struct {
	// Dir is the package's folder, Out/<id>.
	Dir string
	// Executable is the executable in it.
	Executable string
	// Manifest is its plugin.yaml.
	Manifest process.Manifest
	// Replaced: a package that was in Dir before was replaced.
	Replaced bool
}

// header starts every plugin.yaml Pack writes.
const header = "# Written by tentacle plugins pack from what the executable says of itself.\n" +
	"# sha256 is the executable's: a host runs the executable only while they match.\n"

// Pack builds the main package in opts.Dir with the go command (for this
// machine's GOOS and GOARCH), runs the executable once to describe itself
// (process.Describe, with opts.Mixins), and writes Out/<id>/ with the
// executable, named tentacle-plugin-<id>, and its plugin.yaml, whose
// declares section says what decides whether toggling the plugin needs a
// restart. Everything
// is written into a temporary folder in Out first (named with a leading
// dot, which the packages folder ignores) and renamed into place when
// complete; a package already there is replaced. On an error nothing is
// left behind.
func Pack(ctx context.Context, opts Options) (res Result, err error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return Result{}, err
	}
	if err := checkMain(dir); err != nil {
		return Result{}, err
	}
	if opts.ID != "" && !tentacle.ValidIdentifier(opts.ID) {
		return Result{}, fmt.Errorf("invalid identifier %q: want 1 to %d characters of [a-z0-9_]", opts.ID, tentacle.MaxIdentifierLength)
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join(dir, "dist")
	}
	if out, err = filepath.Abs(out); err != nil {
		return Result{}, err
	}
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return Result{}, err
		}
		defer func() {
			if err != nil {
				os.Remove(out) // made for this package: gone again with it
			}
		}()
	}
	tmp, err := os.MkdirTemp(out, ".pack-*")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp) // renamed away on success
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Result{}, err
	}
	built := filepath.Join(tmp, process.ExecutablePrefix+"build")
	if err := goBuild(ctx, dir, built); err != nil {
		return Result{}, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Mixins == nil {
		opts.Mixins = ServerMixins()
	}
	m, err := process.Describe(ctx, built, opts.Timeout, opts.Mixins...)
	if err != nil {
		return Result{}, fmt.Errorf("run the plugin to describe itself: %w", err)
	}
	switch {
	case m.ID == "" && opts.ID == "":
		return Result{}, errors.New("the executable does not say its identifier (its SDK predates that): give it with --id")
	case m.ID != "" && opts.ID != "" && m.ID != opts.ID:
		return Result{}, fmt.Errorf("the executable serves itself as %q (the id it gives sdk.Serve), not %q: a host would mix up the two", m.ID, opts.ID)
	case m.ID == "":
		m.ID = opts.ID
	}
	exe := filepath.Join(tmp, process.ExecutablePrefix+m.ID)
	if err := os.Rename(built, exe); err != nil {
		return Result{}, err
	}
	data, err := m.Marshal()
	if err != nil {
		return Result{}, fmt.Errorf("plugin.yaml: %w", err)
	}
	manifest := filepath.Join(tmp, process.ManifestFile)
	if err := os.WriteFile(manifest, append([]byte(header), data...), 0o644); err != nil {
		return Result{}, err
	}
	if _, err := process.ReadManifest(manifest); err != nil {
		return Result{}, err // a bug: the manifest written is not one the tier reads
	}
	target := filepath.Join(out, m.ID)
	replaced, err := replace(tmp, target)
	if err != nil {
		return Result{}, err
	}
	return Result{Dir: target, Executable: filepath.Join(target, filepath.Base(exe)), Manifest: *m, Replaced: replaced}, nil
}

// checkMain checks that dir holds a main package for this machine.
func checkMain(dir string) error {
	if fi, err := os.Stat(dir); err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder: give the folder of the plugin's main package", dir)
	}
	pkg, err := build.ImportDir(dir, 0)
	var noGo *build.NoGoError
	switch {
	case errors.As(err, &noGo):
		return fmt.Errorf("%s: no Go files to build (want a process plugin's main package, with sdk.Serve)", dir)
	case err != nil:
		return fmt.Errorf("%s: %w", dir, err)
	case pkg.Name != "main":
		return fmt.Errorf("%s is package %s, not a main package: pack builds a process plugin's main package (with sdk.Serve)", dir, pkg.Name)
	}
	return nil
}

// buildTags are the build tags pack builds a plugin with: the pure-Go
// name lookups of packages net and os/user, so that an executable whose own
// code uses no cgo links no C library and is linked statically. A plugin
// that imports net (net/http, package server) is otherwise linked
// dynamically with libc wherever a C compiler is installed, and each of its
// starts pays for the dynamic loader and the C runtime's start: about 3 ms
// of the 8 ms a start may take on a small machine (docs/benchmarks.md).
// Tags the user gives in GOFLAGS stand instead.
const buildTags = "netgo,osusergo"

// goBuild builds the main package in dir into exe, with buildTags unless
// GOFLAGS (the environment's or go env's) gives tags.
func goBuild(ctx context.Context, dir, exe string) error {
	env := append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	args := []string{"build", "-o", exe}
	goenv := exec.CommandContext(ctx, "go", "env", "GOFLAGS")
	goenv.Dir, goenv.Env = dir, env
	if flags, err := goenv.Output(); err == nil && !strings.Contains(string(flags), "-tags") {
		args = append(args, "-tags="+buildTags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("the go command builds the plugin, and it is not on PATH: %w", err)
	}
	if err != nil {
		return fmt.Errorf("go build in %s: %w\n%s", dir, err, strings.TrimRight(string(out), "\n"))
	}
	return nil
}

// replace renames the folder tmp to target, replacing a folder already
// there: that one is renamed aside first, and back if the rename fails.
func replace(tmp, target string) (replaced bool, err error) {
	if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
		return false, os.Rename(tmp, target)
	}
	old, err := os.MkdirTemp(filepath.Dir(target), "."+filepath.Base(target)+".old-*")
	if err != nil {
		return false, err
	}
	aside := filepath.Join(old, filepath.Base(target))
	if err := os.Rename(target, aside); err != nil {
		os.Remove(old)
		return false, fmt.Errorf("replace %s: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if rerr := os.Rename(aside, target); rerr != nil {
			return false, fmt.Errorf("replace %s: %w (the old package is left in %s: %v)", target, err, aside, rerr)
		}
		os.Remove(old)
		return false, fmt.Errorf("replace %s: %w", target, err)
	}
	os.RemoveAll(old) // should it fail, a dot-folder, which the packages folder ignores
	return true, nil
}
