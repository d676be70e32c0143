package files_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/files"
)

func open(t *testing.T) (*files.Store, string) {
	t.Helper()
	base := t.TempDir()
	s, err := files.Open(filepath.Join(base, "uploads"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func TestHostileNames(t *testing.T) {
	s, base := open(t)
	if err := os.Mkdir(filepath.Join(base, "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "outside"), filepath.Join(s.Dir(), "link")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want error // nil: any error
	}{
		{"", files.ErrBadName},
		{"/etc/x.gcode", files.ErrBadName},
		{"../x.gcode", files.ErrBadName},
		{"a/../../x.gcode", files.ErrBadName},
		{"a/./x.gcode", files.ErrBadName},
		{"a//x.gcode", files.ErrBadName},
		{"a\\..\\x.gcode", files.ErrBadName},
		{"x\n.gcode", files.ErrBadName},
		{"x\x7f.gcode", files.ErrBadName},
		{".tmp-1.gcode", files.ErrBadName},
		{"link/x.gcode", files.ErrBadName},
		{"link/sub/x.gcode", files.ErrBadName},
		{"x.stl", files.ErrNotPrintable},
		{"x", files.ErrNotPrintable},
	} {
		_, err := s.Add(c.name, strings.NewReader("G28\n"))
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("Add(%q): %v, want %v", c.name, err, c.want)
		}
		if _, err := s.Mkdir(c.name); err == nil && !strings.HasSuffix(c.name, ".stl") && c.name != "x" {
			t.Errorf("Mkdir(%q) succeeded", c.name)
		}
	}
	for _, dir := range []string{filepath.Join(base, "outside"), base} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "uploads" && e.Name() != "outside" {
				t.Errorf("written outside the uploads folder: %s", filepath.Join(dir, e.Name()))
			}
		}
	}
	if es, _ := os.ReadDir(filepath.Join(base, "outside")); len(es) != 0 {
		t.Errorf("written through the link: %v", es)
	}
}

func TestStore(t *testing.T) {
	s, _ := open(t)
	for _, p := range []string{"b.gcode", "a/x.gco", "a/b/y.g", "a/b/y.g"} {
		if _, err := s.Add(p, strings.NewReader("G28\n")); err != nil {
			t.Fatalf("Add(%s): %v", p, err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mkdir("empty"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mkdir("empty"); !errors.Is(err, files.ErrExists) {
		t.Errorf("Mkdir twice: %v", err)
	}
	list, err := s.List("")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func([]files.Entry)
	walk = func(es []files.Entry) {
		for _, e := range es {
			got = append(got, e.Path)
			walk(e.Children)
		}
	}
	walk(list)
	if want := "a a/b a/b/y.g a/x.gco empty b.gcode"; strings.Join(got, " ") != want {
		t.Errorf("List: %s, want %s", strings.Join(got, " "), want)
	}
	if list[0].Size != 8 || list[0].Files()[0] != "a/b/y.g" {
		t.Errorf("folder a: size %d, files %v", list[0].Size, list[0].Files())
	}
	f, err := s.Open("a/x.gco")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, p := range []string{"a/x.gco", "a"} {
		if err := s.Remove(p); err != nil {
			t.Errorf("Remove(%s): %v", p, err)
		}
	}
	if _, err := s.Stat("a"); !errors.Is(err, files.ErrNotFound) {
		t.Errorf("Stat after Remove: %v", err)
	}
	if _, err := s.Open("notes.txt"); !errors.Is(err, files.ErrNotFound) {
		t.Errorf("Open(notes.txt): %v", err)
	}
}
