package install

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// validID checks a plugin identifier: [a-z0-9_], 1 to 64 characters, not
// starting with _ (which the plugins and packages folders ignore).
func validID(id string) error {
	switch {
	case !tentacle.ValidIdentifier(id):
		return fail(ErrInvalid, "invalid identifier %q: want 1 to %d characters of [a-z0-9_]", id, tentacle.MaxIdentifierLength)
	case strings.HasPrefix(id, "_"):
		return fail(ErrInvalid, "identifier %q starts with _: the plugins and packages folders ignore such names", id)
	}
	return nil
}

// ignored reports whether a top-level name of an archive is left out of
// its layout, as the plugins folder leaves it out (__MACOSX/, .DS_Store).
func ignored(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") }

// topFolder returns the name of the one folder at the top of the folder
// unpacked, names starting with . or _ aside; anything else is ErrLayout.
func topFolder(unpacked string) (string, error) {
	des, err := os.ReadDir(unpacked)
	if err != nil {
		return "", err
	}
	var found []string
	for _, de := range des {
		if ignored(de.Name()) {
			continue
		}
		name := de.Name()
		if de.IsDir() {
			name += "/"
		}
		found = append(found, name)
	}
	if len(found) == 1 && strings.HasSuffix(found[0], "/") {
		return strings.TrimSuffix(found[0], "/"), nil
	}
	what := "nothing"
	if len(found) > 0 {
		what = strings.Join(found, ", ")
	}
	return "", fail(ErrLayout, "want one folder at the top, named after the plugin's identifier; found %s", what)
}

// isPackage reports whether the folder dir is a package: it holds
// plugin.yaml or a platform folder <goos>_<goarch>/.
func isPackage(dir string) bool {
	return isRegular(filepath.Join(dir, process.ManifestFile)) || len(platformFolders(dir)) > 0
}

func isRegular(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode().IsRegular()
}

// platformFolders lists the platform folders of a package, sorted.
func platformFolders(dir string) []string {
	des, _ := os.ReadDir(dir)
	var out []string
	for _, de := range des {
		if de.IsDir() && isPlatformName(de.Name()) {
			out = append(out, de.Name())
		}
	}
	sort.Strings(out)
	return out
}

// stagePackage returns the folder to install of the package in dir: dir
// itself, or, when it has platform folders, the one for goos/goarch,
// moved to assembled with dir's plugin.yaml when it has none of its own.
func stagePackage(dir, assembled, goos, goarch string) (string, error) {
	plats := platformFolders(dir)
	if len(plats) == 0 {
		return dir, nil
	}
	want := goos + "_" + goarch
	if !isDirectory(filepath.Join(dir, want)) {
		return "", fail(ErrPlatform, "the package has no folder for %s/%s, only %s", goos, goarch, strings.Join(plats, ", "))
	}
	if err := os.Rename(filepath.Join(dir, want), assembled); err != nil {
		return "", err
	}
	manifest := filepath.Join(assembled, process.ManifestFile)
	if exists(manifest) {
		return assembled, nil
	}
	top := filepath.Join(dir, process.ManifestFile)
	if !isRegular(top) {
		return "", fail(ErrLayout, "no %s in %s/ nor in %s/", process.ManifestFile, want, filepath.Base(dir))
	}
	return assembled, os.Rename(top, manifest)
}

func isDirectory(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}

// checkPackage checks the package folder dir of plugin id: its manifest
// parses and names id, its executable is there, built for goos/goarch,
// with the manifest's SHA-256. It makes the executable 0755.
func checkPackage(dir, id, goos, goarch string) (*process.Manifest, error) {
	path := filepath.Join(dir, process.ManifestFile)
	if !isRegular(path) {
		return nil, fail(ErrLayout, "no %s in the package", process.ManifestFile)
	}
	m, err := process.ReadManifest(path)
	if err != nil {
		return nil, fail(ErrInvalid, "%s: %w", process.ManifestFile, unwrapPath(err))
	}
	if m.ID != id {
		return nil, fail(ErrLayout, "%s says id %q, and the folder is %s/", process.ManifestFile, m.ID, id)
	}
	exe := filepath.Join(dir, m.Executable)
	if !isRegular(exe) {
		return nil, fail(ErrLayout, "no executable %s in the package", m.Executable)
	}
	if err := checkPlatform(exe, goos, goarch); err != nil {
		return nil, err
	}
	sum, err := process.FileSHA256(exe)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(sum, m.SHA256) {
		return nil, fail(ErrChecksum, "%s has SHA-256 %s, and %s says %s", m.Executable, sum, process.ManifestFile, m.SHA256)
	}
	if err := os.Chmod(exe, 0o755); err != nil {
		return nil, err
	}
	return m, nil
}

// unwrapPath drops the staging path a *fs.PathError or ReadManifest's
// message puts before the cause: the path means nothing to the operator.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	if _, msg, ok := strings.Cut(err.Error(), ": "); ok {
		return errors.New(msg)
	}
	return err
}

// lint lints the source plugin at path (<id>.go or <id>/) with the
// host's lint options: an error listing its problems unless it would
// load. Warnings are logged.
func (in *Installer) lint(ctx context.Context, path string) (name, version string, _ error) {
	r := source.Lint(ctx, path, in.opts.Lint)
	var problems []string
	for _, p := range r.Problems {
		msg := strings.ReplaceAll(p.Message, filepath.Dir(path)+string(filepath.Separator), "")
		if p.Error {
			problems = append(problems, msg)
		} else {
			in.logf("Lint warning: %s", msg)
		}
	}
	if len(problems) > 0 {
		return "", "", fail(ErrInvalid, "lint: %s", strings.Join(problems, "; "))
	}
	return r.Name, r.Version, ctx.Err()
}
