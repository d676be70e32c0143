package install

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Reinstalls and upgrades replace whatever is installed under the
// identifier, of either kind; after Commit nothing of the old is left.
func TestReplace(t *testing.T) {
	exe := nativeExe(t)
	dir := t.TempDir()
	v1folder := writeFile(t, dir, "v1.zip", zipOf(t, append(helloEntries(t, "hello", "1.0.0"), entry{name: "hello/old.txt", body: "only in 1.0.0"})...))
	v2folder := writeFile(t, dir, "v2.tgz", tarOf(t, true, helloEntries(t, "hello", "2.0.0")...))
	v2file := writeFile(t, dir, "hello.go", []byte(helloSource(t, "2.0.0")))
	v3pkg := writeFile(t, dir, "v3.zip", zipOf(t, pkgEntries("hello", "3.0.0", exe)...))

	cases := []struct {
		name      string
		installed []string // sources installed first, in order, with Force
		src       string
		mode      Mode
		replaces  []string
		want      []string // the plugin's paths afterwards
		gone      []string
	}{
		{"upgrade a folder", []string{v1folder}, v2folder, Mode{Reinstall: true}, []string{"plugins/hello"},
			[]string{"plugins/hello/hello.go", "plugins/hello/static/index.html"}, []string{"plugins/hello/old.txt"}},
		{"folder by a file", []string{v1folder}, v2file, Mode{Reinstall: true}, []string{"plugins/hello"},
			[]string{"plugins/hello.go"}, []string{"plugins/hello"}},
		{"file and folder by a package", []string{v2file, v1folder}, v3pkg, Mode{Force: true}, []string{"plugins/hello.go", "plugins/hello"},
			[]string{"packages/hello/plugin.yaml", "packages/hello/tentacle-plugin-hello"}, []string{"plugins/hello.go", "plugins/hello"}},
		{"package by a folder", []string{v3pkg}, v1folder, Mode{Reinstall: true}, []string{"packages/hello"},
			[]string{"plugins/hello/old.txt"}, []string{"packages/hello"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := newInstaller(t, Options{})
			base := in.opts.BaseDir
			writeFile(t, base, "plugins/other.go", []byte("package other"))
			for _, p := range tc.installed {
				// Installed by hand where a kind would be refused with the other there.
				mustInstall(t, in, Source{Path: p}, Mode{Force: true})
			}
			if len(tc.installed) == 2 { // the file plugin too, beside the folder
				writeFile(t, base, "plugins/hello.go", []byte(helloSource(t, "0.9.0")))
			}
			p, err := in.Prepare(context.Background(), Source{Path: tc.src}, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Replaces, nativePaths(tc.replaces)) {
				t.Errorf("Replaces %q, want %q", p.Replaces, tc.replaces)
			}
			if err := p.Place(); err != nil {
				t.Fatal(err)
			}
			if err := p.Commit(); err != nil {
				t.Fatal(err)
			}
			if res := p.result(); !res.Replaced {
				t.Errorf("result %+v: not Replaced", res)
			}
			snap := snapshot(t, base)
			for _, w := range tc.want {
				if _, ok := snap[filepath.FromSlash(w)]; !ok {
					t.Errorf("%s missing", w)
				}
			}
			for path := range snap {
				for _, g := range tc.gone {
					if path == filepath.FromSlash(g) || strings.HasPrefix(path, filepath.FromSlash(g)+string(filepath.Separator)) {
						t.Errorf("%s is still there", path)
					}
				}
				if strings.HasPrefix(path, StagingDir) {
					t.Errorf("%s is still there", path)
				}
			}
			if _, ok := snap[filepath.Join("plugins", "other.go")]; !ok {
				t.Error("another plugin went too")
			}
		})
	}
}

// Rollback after Place restores the base directory exactly; before Place
// it discards; Discard after Place rolls back; after Commit neither
// changes anything.
func TestRollback(t *testing.T) {
	dir := t.TempDir()
	v1 := writeFile(t, dir, "v1.zip", zipOf(t, append(helloEntries(t, "hello", "1.0.0"), entry{name: "hello/run.sh", body: "#!/bin/sh\n", mode: 0o755})...))
	v2 := writeFile(t, dir, "hello.go", []byte(helloSource(t, "2.0.0")))
	for _, how := range []string{"rollback after place", "rollback before place", "discard after place", "discard before place"} {
		t.Run(how, func(t *testing.T) {
			in, logs := newInstaller(t, Options{})
			mustInstall(t, in, Source{Path: v1}, Mode{})
			before := snapshot(t, in.opts.BaseDir)
			p, err := in.Prepare(context.Background(), Source{Path: v2}, Mode{Reinstall: true})
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(how, "after place") {
				if err := p.Place(); err != nil {
					t.Fatal(err)
				}
				if d := diffSnapshots(before, snapshot(t, in.opts.BaseDir)); !strings.Contains(d, "+ plugins/hello.go") {
					t.Fatalf("Place did not place the new plugin:\n%s", d)
				}
			}
			if strings.HasPrefix(how, "rollback") {
				if err := p.Rollback(); err != nil {
					t.Fatal(err)
				}
			} else {
				p.Discard()
			}
			sameTree(t, in.opts.BaseDir, before, how)
			if err := p.Commit(); err == nil {
				t.Error("Commit after the end succeeded")
			}
			if err := p.Rollback(); err != nil {
				t.Errorf("a second Rollback: %v", err)
			}
			if strings.HasSuffix(how, "after place") && !strings.Contains(logs.String(), "Rolled back the install of hello") {
				t.Errorf("log lacks the rollback:\n%s", logs)
			}
			mustInstall(t, in, Source{Path: v2}, Mode{Reinstall: true}) // no longer busy
		})
	}
}

// After Commit, Rollback is an error and Discard nothing.
func TestAfterCommit(t *testing.T) {
	in, _ := newInstaller(t, Options{})
	p, err := in.Prepare(context.Background(), Source{Path: writeFile(t, t.TempDir(), "hello.go", []byte(helloSource(t, "1.0.0")))}, Mode{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err == nil {
		t.Error("Commit before Place succeeded")
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	if err := p.Place(); err == nil {
		t.Error("a second Place succeeded")
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, in.opts.BaseDir)
	if err := p.Rollback(); err == nil || !strings.Contains(err.Error(), "already committed") {
		t.Errorf("Rollback after Commit: %v", err)
	}
	p.Discard()
	sameTree(t, in.opts.BaseDir, after, "after Rollback and Discard of a committed install")
}

// A plugin installed between Prepare and Place is not replaced without
// Reinstall.
func TestInstalledSincePrepare(t *testing.T) {
	in, _ := newInstaller(t, Options{})
	p, err := in.Prepare(context.Background(), Source{Path: writeFile(t, t.TempDir(), "hello.go", []byte(helloSource(t, "1.0.0")))}, Mode{})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, in.opts.BaseDir, "plugins/hello/hello.go", []byte("package hello"))
	before := snapshot(t, in.opts.BaseDir)
	for path := range before {
		if strings.HasPrefix(path, StagingDir) {
			delete(before, path) // the Pending's, removed by its failed Place
		}
	}
	if err := p.Place(); !errors.Is(err, ErrInstalled) {
		t.Fatalf("Place: %v, want ErrInstalled", err)
	}
	sameTree(t, in.opts.BaseDir, before, "after a refused Place")
}

// One install at a time: a Prepare while another is open is ErrBusy at
// once; the next one after it ends goes ahead.
func TestBusy(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	in, _ := newInstaller(t, Options{Check: func(context.Context, *Staged) error {
		once.Do(func() { close(entered); <-release })
		return nil
	}})
	dir := t.TempDir()
	a := writeFile(t, dir, "a.go", []byte(strings.ReplaceAll(helloSource(t, "1.0.0"), "package hello", "package a")))
	b := writeFile(t, dir, "b.go", []byte(strings.ReplaceAll(helloSource(t, "1.0.0"), "package hello", "package b")))

	first := make(chan error, 1)
	var p *Pending
	go func() {
		var err error
		p, err = in.Prepare(context.Background(), Source{Path: a}, Mode{})
		first <- err
	}()
	<-entered // the first Prepare is in its Check
	if _, err := in.Prepare(context.Background(), Source{Path: b}, Mode{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a Prepare during a Prepare: %v, want ErrBusy", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := in.Install(context.Background(), Source{Path: b}, Mode{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("an Install while a Pending is open: %v, want ErrBusy", err)
	}
	if err := p.Place(); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Prepare(context.Background(), Source{Path: b}, Mode{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a Prepare while a Pending is placed: %v, want ErrBusy", err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	mustInstall(t, in, Source{Path: b}, Mode{})
}
