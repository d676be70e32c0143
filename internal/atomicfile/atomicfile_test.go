package atomicfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

func TestWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permissions and links are unix behaviour")
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string) string // returns the path to write
		opts     atomicfile.Options
		wantPerm fs.FileMode
		check    func(t *testing.T, dir, path string)
	}{
		{
			name:     "new file owner-only",
			setup:    func(t *testing.T, dir string) string { return filepath.Join(dir, "f") },
			wantPerm: 0o600,
		},
		{
			name:     "new file in missing folders",
			setup:    func(t *testing.T, dir string) string { return filepath.Join(dir, "a", "b", "f") },
			opts:     atomicfile.Options{Perm: 0o644, DirPerm: 0o750},
			wantPerm: 0o644,
			check: func(t *testing.T, dir, path string) {
				fi, err := os.Stat(filepath.Join(dir, "a"))
				if err != nil || fi.Mode().Perm() != 0o750 {
					t.Errorf("folder: %v, %v; want mode 0750", fi.Mode(), err)
				}
			},
		},
		{
			name: "existing file takes Perm",
			setup: func(t *testing.T, dir string) string {
				return writeFile(t, filepath.Join(dir, "f"), 0o644)
			},
			wantPerm: 0o600,
		},
		{
			name: "existing file keeps its mode with KeepPerm",
			setup: func(t *testing.T, dir string) string {
				return writeFile(t, filepath.Join(dir, "f"), 0o640)
			},
			opts:     atomicfile.Options{KeepPerm: true},
			wantPerm: 0o640,
		},
		{
			name:     "link followed with FollowLink",
			setup:    linkToFile,
			opts:     atomicfile.Options{FollowLink: true},
			wantPerm: 0o600,
			check: func(t *testing.T, dir, path string) {
				if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("the link is gone: %v, %v", fi, err)
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "real")); string(b) != "new" {
					t.Errorf("the link's file holds %q, want new", b)
				}
			},
		},
		{
			name:     "link replaced without FollowLink",
			setup:    linkToFile,
			wantPerm: 0o600,
			check: func(t *testing.T, dir, path string) {
				if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
					t.Errorf("the link is still there: %v, %v", fi, err)
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "real")); string(b) != "old" {
					t.Errorf("the link's file holds %q, want old", b)
				}
			},
		},
		{
			name:     "modification time set",
			setup:    func(t *testing.T, dir string) string { return filepath.Join(dir, "f") },
			opts:     atomicfile.Options{ModTime: when},
			wantPerm: 0o600,
			check: func(t *testing.T, dir, path string) {
				if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(when) {
					t.Errorf("modification time %v (%v), want %v", fi.ModTime(), err, when)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			if err := atomicfile.Write(path, []byte("new"), tt.opts); err != nil {
				t.Fatalf("Write: %v", err)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != "new" {
				t.Fatalf("read back %q, %v; want new", b, err)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != tt.wantPerm {
				t.Errorf("mode %v (%v), want %v", fi.Mode().Perm(), err, tt.wantPerm)
			}
			if tt.check != nil {
				tt.check(t, dir, path)
			}
			assertNoTemps(t, filepath.Dir(path))
		})
	}
}

// A write that fails before the rename leaves the file as it was and no
// temporary file.
func TestWriteFailureLeavesFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "f"), 0o600)
	boom := errors.New("boom")
	var seen string
	err := atomicfile.Write(path, []byte("new"), atomicfile.Options{BeforeRename: func(tmp string) error {
		seen = tmp
		if b, err := os.ReadFile(tmp); err != nil || string(b) != "new" {
			t.Errorf("temporary file holds %q, %v", b, err)
		}
		return boom
	}})
	if !errors.Is(err, boom) {
		t.Fatalf("Write: %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file holds %q after a failed write, want old", b)
	}
	if _, err := os.Stat(seen); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file %s left behind: %v", seen, err)
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	prefix := atomicfile.TempPrefix("config.yaml")
	stale := []string{prefix + "1", prefix + "0042"}
	kept := []string{"config.yaml", prefix, prefix + "12x", atomicfile.TempPrefix("other.yaml") + "1", ".config.yaml.tmp"}
	for _, n := range append(slices.Clone(stale), kept...) {
		writeFile(t, filepath.Join(dir, n), 0o600)
	}
	if err := os.Mkdir(filepath.Join(dir, prefix+"7"), 0o700); err != nil { // a folder is never removed
		t.Fatal(err)
	}
	removed, err := atomicfile.RemoveTemps(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range stale {
		want = append(want, filepath.Join(dir, n))
	}
	slices.Sort(removed)
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, n := range append(kept, prefix+"7") {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
	if removed, err := atomicfile.RemoveTemps(filepath.Join(dir, "missing", "f")); err != nil || removed != nil {
		t.Errorf("missing folder: %v, %v; want nothing, no error", removed, err)
	}
}

// linkToFile makes dir/real, holding "old", and a link dir/link to it,
// and returns the link's path.
func linkToFile(t *testing.T, dir string) string {
	real := writeFile(t, filepath.Join(dir, "real"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	return link
}

func writeFile(t *testing.T, path string, perm fs.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte("old"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
