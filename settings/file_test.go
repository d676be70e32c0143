package settings

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSaveEqualToDefaultWritesEmptyMap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	s, err := Open(path, map[string]any{"server": map[string]any{"port": 5000}})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "server.port", 1)
	mustSet(t, s, "server.port", 5000)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "{}\n" {
		t.Errorf("file = %q, want {}", got)
	}
}

func TestSaveOnlyWhenDirty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("clean store created the file: %v", err)
	}
	mustSet(t, s, "a", 1)
	if !s.Dirty() {
		t.Fatal("not dirty after Set")
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if s.Dirty() || s.writes != 1 {
		t.Fatalf("after Save: dirty %v, writes %d", s.Dirty(), s.writes)
	}
	// A second Save must not touch the file: change it behind the
	// store's back and check it survives.
	if err := os.WriteFile(path, []byte("external: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "external: true\n" || s.writes != 1 {
		t.Errorf("clean Save wrote: file %q, writes %d", got, s.writes)
	}
	mustSet(t, s, "a", 1) // unchanged value: still clean
	if err := s.Save(); err != nil || s.writes != 1 {
		t.Errorf("Save after a no-op Set: err %v, writes %d", err, s.writes)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	defaults := map[string]any{"server": map[string]any{"port": 5000, "host": "h"}}
	s, err := Open(path, defaults)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"server.port":                   8080,
		"plugins.p.list":                []string{"x", "y"},
		"plugins.p.ratio":               float32(0.1),
		"plugins.p.nested.deep":         map[string]int{"n": 1},
		"plugins.p.flag":                false,
		"plugins.p.null":                nil,
		"plugins.p.text":                "multi\nline: text",
		"plugins.p.number_like":         "1.0",
		"plugins.p.empty":               map[string]any{},
		"plugins.p.emptylist":           []any{},
		"plugins.p._config_version":     3,
		"zeta":                          -1,
		"alpha":                         1e-9,
		"plugins.other.unicode":         "é ✓",
		"plugins.other.key with spaces": "ok",
	}
	for p, v := range values {
		mustSet(t, s, p, v)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, defaults)
	if err != nil {
		t.Fatalf("reopen: %v\n%s", err, readFile(t, path))
	}
	if diff := cmp.Diff(s.UserData(), s2.UserData()); diff != "" {
		t.Errorf("round trip mismatch (-saved +loaded):\n%s\nfile:\n%s", diff, readFile(t, path))
	}
	if s2.GetInt("server.port") != 8080 || s2.GetString("server.host") != "h" || s2.GetFloat("plugins.p.ratio") != 0.1 {
		t.Error("reopened store reads wrong values")
	}
	// Keys are sorted and indented by two spaces.
	content := readFile(t, path)
	if !strings.HasPrefix(content, "alpha: ") || !strings.HasSuffix(content, "zeta: -1\n") {
		t.Errorf("keys not sorted:\n%s", content)
	}
	if !strings.Contains(content, "\nserver:\n  port: 8080\n") {
		t.Errorf("unexpected layout:\n%s", content)
	}
	// Saving the reopened store unchanged writes nothing; changing it
	// writes the same bytes as a fresh save would.
	if err := s2.Save(); err != nil || s2.writes != 0 {
		t.Errorf("clean reopened store saved: %v, %d", err, s2.writes)
	}
}

func TestSaveKeepsModeAndLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", "a: 1\n")
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "b", 2)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
	}
	if got := readFile(t, path); got != "a: 1\nb: 2\n" {
		t.Errorf("file = %q", got)
	}
	if names := dirEntries(t, dir); !cmp.Equal(names, []string{"config.yaml"}) {
		t.Errorf("directory holds %v, want only config.yaml", names)
	}
}

func TestSaveNewFileCreatesDirAndUses0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "config.yaml")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "a", 1)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
}

func TestSaveFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := writeFile(t, dir, "real.yaml", "a: 1\n")
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("symlinks unsupported: %v", err)
	}
	s, err := Open(link, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "a", 2)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("symlink replaced: %v", err)
	}
	if got := readFile(t, real); got != "a: 2\n" {
		t.Errorf("target = %q", got)
	}
}

func TestFailedSaveLeavesEverythingIntact(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, path string) (restore func())
	}{
		{
			name: "parent path is a regular file",
			setup: func(t *testing.T, dir, path string) func() {
				// The store's file lives in dir/sub, which becomes a file.
				sub := filepath.Dir(path)
				if err := os.RemoveAll(sub); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(sub, []byte("blocker"), 0o600); err != nil {
					t.Fatal(err)
				}
				return func() {
					if err := os.Remove(sub); err != nil {
						t.Fatal(err)
					}
				}
			},
		},
		{
			name: "target is a directory",
			setup: func(t *testing.T, dir, path string) func() {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, "inside", "x")
				return func() {
					if err := os.RemoveAll(path); err != nil {
						t.Fatal(err)
					}
				}
			},
		},
		{
			name: "failure before rename",
			setup: func(t *testing.T, dir, path string) func() {
				beforeRename = func(tmp string) error {
					if _, err := os.Stat(tmp); err != nil {
						t.Errorf("temporary file missing before rename: %v", err)
					}
					return errors.New("injected failure")
				}
				return func() { beforeRename = nil }
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "sub", "config.yaml")
			if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Dir(path), "config.yaml", "a: 1\n")
			s, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			mustSet(t, s, "a", 2)
			restore := tt.setup(t, dir, path)
			var before []string
			if fi, err := os.Stat(filepath.Dir(path)); err == nil && fi.IsDir() {
				before = dirEntries(t, filepath.Dir(path))
			}

			err = s.Save()
			if err == nil {
				t.Fatal("Save succeeded")
			}
			if !strings.HasPrefix(err.Error(), "settings: save "+path) {
				t.Errorf("error %q lacks context", err)
			}
			if !s.Dirty() || s.writes != 0 {
				t.Errorf("after failed Save: dirty %v, writes %d", s.Dirty(), s.writes)
			}
			if fi, err := os.Stat(filepath.Dir(path)); err == nil && fi.IsDir() {
				if after := dirEntries(t, filepath.Dir(path)); !cmp.Equal(before, after) {
					t.Errorf("directory changed from %v to %v", before, after)
				}
			}
			if tt.name == "failure before rename" {
				if got := readFile(t, path); got != "a: 1\n" {
					t.Errorf("original file changed: %q", got)
				}
			}

			// Once the obstacle is gone, the next Save writes.
			restore()
			if err := s.Save(); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := readFile(t, path); got != "a: 2\n" || s.Dirty() {
				t.Errorf("retry wrote %q, dirty %v", got, s.Dirty())
			}
		})
	}
}

func TestChangeDuringSaveKeepsDirty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "a", 1)
	beforeRename = func(string) error {
		// Runs while Save writes, after it took its snapshot.
		if err := s.Set("b", 2); err != nil {
			t.Error(err)
		}
		return nil
	}
	defer func() { beforeRename = nil }()
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	beforeRename = nil
	if got := readFile(t, path); got != "a: 1\n" {
		t.Errorf("file = %q", got)
	}
	if !s.Dirty() {
		t.Fatal("change made during Save was marked saved")
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "a: 1\nb: 2\n" {
		t.Errorf("file = %q", got)
	}
}

func TestSaveKeepsFloatsFloats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	st, err := Open(path, map[string]any{"a": 1, "b": 2.5})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"a": 1.0, "c": 3.0, "d": 1e21, "e": 0.5, "f": []any{2.0, 7}} {
		if err := st.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Save(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	again, err := Open(path, map[string]any{"a": 1, "b": 2.5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": 1.0, "c": 3.0, "d": 1e21, "e": 0.5, "f": []any{2.0, 7}}
	if d := cmp.Diff(want, again.UserData()); d != "" {
		t.Errorf("round trip changed values (-want +got):\n%s\nfile:\n%s", d, raw)
	}
}
