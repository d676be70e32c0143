package serve_test

// The plugin packages of the tests: built, installed by hand into a
// base directory, or packed as an archive to install from a URL. These
// work on every system; the tests that run the tentacle command with them
// (e2e_*_test.go) are unix-only.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	proctier "github.com/tentacle-go/tentacle/tier/process"
)

// buildPackaged builds server/testdata/packaged as version and returns
// the executable.
func buildPackaged(t *testing.T, version string) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "packaged-"+version)
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", exe, "./testdata/packaged")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/packaged: %v\n%s", err, out)
	}
	return exe
}

// installByHand installs exe as the package "packaged" of version into
// <dir>/packages as docs/howto-process.md says: the executable, then its
// plugin.yaml with its SHA-256, each written under a temporary name and
// renamed into place.
func installByHand(t *testing.T, dir, exe, version string) {
	t.Helper()
	installPackage(t, dir, "packaged", "Packaged", exe, version)
}

// installPackage installs exe as package id, as installByHand does.
func installPackage(t testing.TB, dir, id, name, exe, version string) {
	t.Helper()
	pkg := filepath.Join(dir, "packages", id)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte, mode os.FileMode) {
		tmp := filepath.Join(pkg, ".tmp-"+name)
		if err := os.WriteFile(tmp, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(pkg, name)); err != nil {
			t.Fatal(err)
		}
	}
	put(proctier.ExecutablePrefix+id, data, 0o755)
	sum, err := proctier.FileSHA256(filepath.Join(pkg, proctier.ExecutablePrefix+id))
	if err != nil {
		t.Fatal(err)
	}
	put(proctier.ManifestFile, []byte("id: "+id+"\nname: "+name+"\nversion: "+version+"\nsha256: "+sum+"\n"), 0o644)
}

// packageArchive returns a .tar.gz of the package "packaged" holding exe:
// flat (packaged/plugin.yaml and the executable) or, with platform, under
// packaged/<goos>_<goarch>/.
func packageArchive(t *testing.T, exe, version, platform string) []byte {
	t.Helper()
	return packageArchiveOf(t, "packaged", "Packaged", exe, version, platform)
}

// packageArchiveOf returns a .tar.gz of the package id (named name)
// holding exe, as packageArchive does.
func packageArchiveOf(t *testing.T, id, name, exe, version, platform string) []byte {
	t.Helper()
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := proctier.FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	dir := id + "/"
	if platform != "" {
		dir += platform + "/"
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	put := func(name string, body []byte, mode int64) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	put(dir+proctier.ManifestFile, []byte("id: "+id+"\nname: "+name+"\nversion: "+version+"\nsha256: "+sum+"\n"), 0o644)
	put(dir+proctier.ExecutablePrefix+id, data, 0o755)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
