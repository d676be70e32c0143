package install

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// entry is one entry of a test archive.
type entry struct {
	name string
	body string
	mode int64 // permission bits; default 0644 for a file, 0755 for a folder
	typ  byte  // tar type flag; default a file, or a folder for a name ending in /
	link string
}

func (e entry) isDir() bool {
	return e.typ == tar.TypeDir || e.typ == 0 && strings.HasSuffix(e.name, "/")
}

// tarOf returns a tar archive of entries, gzipped when gz.
func tarOf(t testing.TB, gz bool, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var zw *gzip.Writer
	var w io.Writer = &buf
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: e.typ, Linkname: e.link, Size: int64(len(e.body)), Format: tar.FormatPAX}
		switch {
		case e.isDir():
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		case e.typ == 0:
			hdr.Typeflag = tar.TypeReg
		case e.typ != tar.TypeReg:
			hdr.Size = 0
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
			if e.isDir() {
				hdr.Mode = 0o755
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// zipOf returns a zip archive of entries; a symbolic link's target is its
// body, as zip tools store it.
func zipOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := fs.FileMode(e.mode)
		switch {
		case e.isDir():
			if mode == 0 {
				mode = 0o755
			}
			mode |= fs.ModeDir
		case e.typ == tar.TypeSymlink:
			mode |= fs.ModeSymlink | 0o777
		case e.typ == tar.TypeFifo:
			mode |= fs.ModeNamedPipe | 0o644
		case mode == 0:
			mode = 0o644
		}
		fh.SetMode(mode)
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to dir/name (making dir) and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// helloSource is the test source plugin hello's file, of version v.
func helloSource(t testing.TB, v string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "hello", "hello.go"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(data), `"1.0.0"`, `"`+v+`"`, 1)
}

// helloEntries are the entries of an archive of the source plugin hello
// of version v, in folder top.
func helloEntries(t testing.TB, top, v string) []entry {
	return []entry{
		{name: top + "/"},
		{name: top + "/hello.go", body: helloSource(t, v)},
		{name: top + "/static/index.html", body: "<p>hello</p>\n"},
	}
}

// Executables of a package, built once per test run into exeDir (made and
// removed by TestMain): a tiny program for this platform and for others.
var (
	exeDir   string
	exeMu    sync.Mutex
	exeBuilt = map[string][]byte{}
)

// executable returns a tiny real executable built for goos/goarch.
func executable(t testing.TB, goos, goarch string) []byte {
	t.Helper()
	exeMu.Lock()
	defer exeMu.Unlock()
	key := goos + "_" + goarch
	if data, ok := exeBuilt[key]; ok {
		return data
	}
	src, err := filepath.Abs(filepath.Join("testdata", "exe.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(exeDir, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "main.go", data)
	out := filepath.Join(dir, "exe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for %s: %v\n%s", key, err, msg)
	}
	if data, err = os.ReadFile(out); err != nil {
		t.Fatal(err)
	}
	exeBuilt[key] = data
	return data
}

// nativeExe is an executable for this machine.
func nativeExe(t testing.TB) []byte { return executable(t, runtime.GOOS, runtime.GOARCH) }

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// manifest is a plugin.yaml of package id, version v, for the executable
// with SHA-256 digest.
func manifest(id, v, digest string) string {
	return fmt.Sprintf("id: %s\nname: %s\nversion: %s\nsha256: %s\n", id, strings.ToUpper(id[:1])+id[1:], v, digest)
}

// pkgEntries are the entries of a package archive of id, version v, with
// executable exe, in the single-platform layout.
func pkgEntries(id, v string, exe []byte) []entry {
	return []entry{
		{name: id + "/"},
		{name: id + "/plugin.yaml", body: manifest(id, v, sum(exe))},
		{name: id + "/tentacle-plugin-" + id, body: string(exe), mode: 0o755},
	}
}

// snapshot describes the tree at root: every path with its type, mode
// and content's SHA-256 (a link's target).
func snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			snap[rel] = "link " + target
		case fi.IsDir():
			snap[rel] = fmt.Sprintf("dir %v", fi.Mode())
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			snap[rel] = fmt.Sprintf("file %v %s", fi.Mode(), sum(data)[:16])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// diffSnapshots lists how b differs from a; "" when they are the same.
func diffSnapshots(a, b map[string]string) string {
	var lines []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			lines = append(lines, fmt.Sprintf("- %s (%s)", k, v))
		} else if v != w {
			lines = append(lines, fmt.Sprintf("~ %s (%s -> %s)", k, v, w))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			lines = append(lines, fmt.Sprintf("+ %s (%s)", k, v))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// sameTree fails the test when the tree at root is not as snapshot want.
func sameTree(t testing.TB, root string, want map[string]string, what string) {
	t.Helper()
	if d := diffSnapshots(want, snapshot(t, root)); d != "" {
		t.Errorf("%s: the base directory changed:\n%s", what, d)
	}
}

// logRecorder collects an installer's log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) log(line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// newInstaller returns an installer on a new base directory (or opts's),
// logging into the returned recorder.
func newInstaller(t testing.TB, opts Options) (*Installer, *logRecorder) {
	t.Helper()
	if opts.BaseDir == "" {
		opts.BaseDir = t.TempDir()
	}
	logs := &logRecorder{}
	if opts.Log == nil {
		opts.Log = logs.log
	}
	in, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("install log:\n%s", logs)
		}
	})
	return in, logs
}

// mustInstall installs src and fails the test on an error.
func mustInstall(t testing.TB, in *Installer, src Source, mode Mode) Result {
	t.Helper()
	res, err := in.Install(context.Background(), src, mode)
	if err != nil {
		t.Fatalf("Install(%+v): %v", src, err)
	}
	return res
}

// noise returns n bytes of pseudo-random text, which does not compress
// much; the same for the same n.
func noise(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('!' + r.IntN(90))
	}
	return string(b)
}
