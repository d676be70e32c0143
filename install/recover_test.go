package install

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Remove removes a plugin's file, folder or link, given relative to the
// base directory or absolute inside it, and nothing else.
func TestRemove(t *testing.T) {
	cases := []struct {
		name string
		path func(base string) string
		gone string
	}{
		{"file, relative", func(string) string { return "plugins/hello.go" }, "plugins/hello.go"},
		{"folder, absolute", func(base string) string { return filepath.Join(base, "packages", "hello") }, "packages/hello"},
		{"read-only folder", func(base string) string {
			if err := os.Chmod(filepath.Join(base, "plugins", "ro", "sub"), 0o555); err != nil {
				t.Fatal(err)
			}
			return "plugins/ro"
		}, "plugins/ro"},
		{"link", func(string) string { return "plugins/linked" }, "plugins/linked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			writeFile(t, base, "plugins/hello.go", []byte("package hello"))
			writeFile(t, base, "plugins/ro/sub/x.go", []byte("package ro"))
			writeFile(t, base, "packages/hello/plugin.yaml", []byte("id: hello"))
			target := writeFile(t, t.TempDir(), "elsewhere/linked/x.go", []byte("package linked"))
			if err := os.Symlink(filepath.Dir(target), filepath.Join(base, "plugins", "linked")); err != nil {
				t.Fatal(err)
			}
			path := tc.path(base)
			want := snapshot(t, base)
			for p := range want {
				if p == filepath.FromSlash(tc.gone) || strings.HasPrefix(p, filepath.FromSlash(tc.gone)+string(filepath.Separator)) {
					delete(want, p)
				}
			}
			if err := Remove(base, path); err != nil {
				t.Fatal(err)
			}
			sameTree(t, base, want, "after Remove")
			if _, err := os.Stat(target); err != nil {
				t.Errorf("the link's target went too: %v", err)
			}
		})
	}
}

// Remove refuses what is no plugin's path in the base directory.
func TestRemoveRefuses(t *testing.T) {
	base := t.TempDir()
	writeFile(t, base, "plugins/hello.go", []byte("package hello"))
	writeFile(t, base, ".install/tx-1/journal", []byte("{}"))
	outside := writeFile(t, t.TempDir(), "x.go", []byte("package x"))
	before := snapshot(t, base)
	cases := []struct {
		path string
		kind error
		msg  string
	}{
		{"../x.go", nil, "not inside the base directory"},
		{outside, nil, "not inside the base directory"},
		{".", nil, "not inside the base directory"},
		{base, nil, "not inside the base directory"},
		{".install", nil, "the staging folder"},
		{".install/tx-1", nil, "the staging folder"},
		{"plugins/nope.go", fs.ErrNotExist, "no such file"},
	}
	for _, tc := range cases {
		err := Remove(base, tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || tc.kind != nil && !errors.Is(err, tc.kind) {
			t.Errorf("Remove(%q): %v, want an error saying %q", tc.path, err, tc.msg)
		}
	}
	sameTree(t, base, before, "after refused removals")
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("a file outside went: %v", err)
	}
}

// A Remove that fails before its rename changes nothing; one that fails
// after it says so, and Recover finishes it.
func TestRemoveFailures(t *testing.T) {
	for _, point := range []string{fpRemoveMove, fpRemoveDelete} {
		t.Run(point, func(t *testing.T) {
			base := t.TempDir()
			writeFile(t, base, "plugins/hello/hello.go", []byte("package hello"))
			writeFile(t, base, "plugins/other.go", []byte("package other"))
			before := snapshot(t, base)
			setFailpoint(t, nthHit(point, 0))
			err := Remove(base, "plugins/hello")
			if !errors.Is(err, errInjected) {
				t.Fatalf("Remove: %v, want the injected failure", err)
			}
			failpoint.Store(nil)
			if point == fpRemoveMove {
				sameTree(t, base, before, "after a failure before the rename")
				return
			}
			if !strings.Contains(err.Error(), "Recover deletes it") {
				t.Errorf("error %v does not say what is left", err)
			}
			if err := Recover(base); err != nil {
				t.Fatal(err)
			}
			want := snapshot(t, t.TempDir())
			want["plugins"] = before["plugins"]
			want[filepath.Join("plugins", "other.go")] = before[filepath.Join("plugins", "other.go")]
			sameTree(t, base, want, "after Recover")
		})
	}
}

// Recover leaves the transaction of a live install alone, which then
// completes.
func TestRecoverLeavesLiveInstalls(t *testing.T) {
	in, _ := newInstaller(t, Options{})
	base := in.opts.BaseDir
	p, err := in.Prepare(context.Background(), Source{Path: writeFile(t, t.TempDir(), "hello.go", []byte(helloSource(t, "1.0.0")))}, Mode{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	during := snapshot(t, base)
	if err := Recover(base); err != nil {
		t.Fatal(err)
	}
	sameTree(t, base, during, "Recover during an install")
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(base, "plugins", "hello.go")); err != nil {
		t.Error(err)
	}
}

// What Recover does with what it finds in .install/.
func TestRecover(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string // in the base directory before
		want  []string          // paths left after, besides "."
		err   string
	}{
		{"nothing", nil, nil, ""},
		{"an empty staging folder", map[string]string{".install/": ""}, nil, ""},
		{"a stray file", map[string]string{".install/junk": "x"}, nil, ""},
		{"a transaction without a journal", map[string]string{".install/tx-1/unpack/hello/hello.go": "x"}, nil, ""},
		{"a journal that does not parse", map[string]string{".install/tx-1/journal": "{", "plugins/a.go": "a"},
			[]string{".install", ".install/tx-1", ".install/tx-1/journal", "plugins", "plugins/a.go"}, "journal"},
		{"a journal that moves what is not its own", map[string]string{
			".install/tx-1/journal": `{"op":"install","moves":[{"from":"plugins/a.go","to":"../a.go"}]}`, "plugins/a.go": "a"},
			[]string{".install", ".install/tx-1", ".install/tx-1/journal", "plugins", "plugins/a.go"}, "is not one a transaction makes"},
		{"an install to undo", map[string]string{
			".install/tx-1/journal":          `{"op":"install","moves":[{"from":"plugins/a.go","to":".install/tx-1/old/plugins/a.go"},{"from":".install/tx-1/file/a.go","to":"plugins/a.go"}]}`,
			".install/tx-1/old/plugins/a.go": "old", "plugins/a.go": "new"},
			[]string{"plugins", "plugins/a.go"}, ""},
		{"a committed install", map[string]string{
			".install/tx-1/journal":          `{"op":"install","moves":[{"from":"plugins/a.go","to":".install/tx-1/old/plugins/a.go"},{"from":".install/tx-1/file/a.go","to":"plugins/a.go"}]}`,
			".install/tx-1/committed":        "",
			".install/tx-1/old/plugins/a.go": "old", "plugins/a.go": "new"},
			[]string{"plugins", "plugins/a.go"}, ""},
		{"a removal not moved yet", map[string]string{
			".install/tx-1/journal": `{"op":"remove","moves":[{"from":"plugins/a.go","to":".install/tx-1/old/plugins/a.go"}],"forward":true}`,
			".install/tx-1/old/":    "", "plugins/a.go": "a", "plugins/b.go": "b"},
			[]string{"plugins", "plugins/b.go"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			for path, body := range tc.files {
				if strings.HasSuffix(path, "/") {
					writeDir(t, filepath.Join(base, path))
					continue
				}
				writeFile(t, base, path, []byte(body))
			}
			err := Recover(base)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("Recover: %v, want an error saying %q", err, tc.err)
			}
			got := snapshot(t, base)
			delete(got, ".")
			if len(got) != len(tc.want) {
				t.Errorf("left %v, want %v", got, tc.want)
			}
			for _, w := range tc.want {
				if _, ok := got[filepath.FromSlash(w)]; !ok {
					t.Errorf("%s is gone", w)
				}
			}
			if data, err := os.ReadFile(filepath.Join(base, "plugins", "a.go")); err == nil && tc.name == "an install to undo" && string(data) != "old" {
				t.Errorf("plugins/a.go holds %q, want the old one back", data)
			}
		})
	}
}
