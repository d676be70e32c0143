package tier_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tentacle-go/tentacle/tier"
)

func TestRemoveAll(t *testing.T) {
	for _, c := range []struct {
		name  string
		make  func(dir string) string
		wantN int // entries left in dir
	}{
		{"file", func(dir string) string { return write(t, filepath.Join(dir, "hello.go")) }, 1},
		{"folder", func(dir string) string {
			write(t, filepath.Join(dir, "hello", "a.go"))
			write(t, filepath.Join(dir, "hello", "sub", "b.go"))
			return filepath.Join(dir, "hello")
		}, 1},
		{"missing", func(dir string) string { return filepath.Join(dir, "nope") }, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "other.go"))
			path := c.make(dir)
			if err := tier.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			des, _ := os.ReadDir(dir)
			if len(des) != c.wantN || des[0].Name() != "other.go" {
				t.Errorf("left in the folder: %v; want only other.go", des)
			}
		})
	}
}

func TestCleanRemovals(t *testing.T) {
	dir := t.TempDir()
	// What a removal killed between its rename and its delete left.
	write(t, filepath.Join(dir, ".hello.removing-0a1b2c", "a.go"))
	write(t, filepath.Join(dir, ".hi.go.removing-0a1b2d"))
	keep := []string{".hidden", "hello.go", "removing-not-hidden"}
	for _, n := range keep {
		write(t, filepath.Join(dir, n))
	}
	if err := tier.CleanRemovals(dir); err != nil {
		t.Fatal(err)
	}
	des, _ := os.ReadDir(dir)
	var got []string
	for _, de := range des {
		got = append(got, de.Name())
	}
	if len(got) != len(keep) || got[0] != keep[0] || got[1] != keep[1] || got[2] != keep[2] {
		t.Errorf("left: %v; want %v", got, keep)
	}
	if err := tier.CleanRemovals(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing folder: %v", err)
	}
}

func write(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
