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

// Unpacked files are 0644, or 0755 with any executable bit; folders
// 0755; setuid, setgid, sticky and write bits for others are dropped.
func TestUnpackModes(t *testing.T) {
	entries := []entry{
		{name: "p/", mode: 0o700},
		{name: "p/tmp/", mode: 0o1777},
		{name: "p/suid", body: "x", mode: 0o4755},
		{name: "p/sgid", body: "x", mode: 0o2711},
		{name: "p/private", body: "x", mode: 0o600},
		{name: "p/writable", body: "x", mode: 0o666},
		{name: "p/userexec", body: "x", mode: 0o700},
		{name: "p/implied/file", body: "x", mode: 0o644},
	}
	want := map[string]fs.FileMode{
		"p": fs.ModeDir | 0o755, "p/tmp": fs.ModeDir | 0o755, "p/implied": fs.ModeDir | 0o755,
		"p/suid": 0o755, "p/sgid": 0o755, "p/private": 0o644, "p/writable": 0o644, "p/userexec": 0o755, "p/implied/file": 0o644,
	}
	for name, data := range map[string][]byte{"x.tar": tarOf(t, false, entries...), "x.zip": zipOf(t, entries...)} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := writeFile(t, dir, name, data)
			dest := filepath.Join(dir, "dest")
			if _, err := unpack(context.Background(), src, formatOf(name), dest, Limits{}.withDefaults()); err != nil {
				t.Fatal(err)
			}
			for path, mode := range want {
				fi, err := os.Lstat(filepath.Join(dest, filepath.FromSlash(path)))
				if err != nil {
					t.Error(err)
				} else if fi.Mode() != mode {
					t.Errorf("%s: %v, want %v", path, fi.Mode(), mode)
				}
			}
		})
	}
}

// A cancelled context stops the unpack between entries.
func TestUnpackCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, _ := newInstaller(t, Options{Log: func(line string) {
		if strings.HasPrefix(line, "Unpacking") {
			cancel()
		}
	}})
	path := writeFile(t, t.TempDir(), "hello.zip", zipOf(t, helloEntries(t, "hello", "1.0.0")...))
	_, err := in.Install(ctx, Source{Path: path}, Mode{})
	var ie *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ie) || ie.Step != StepUnpack {
		t.Fatalf("error %v, want the unpack step cancelled", err)
	}
}

// Lint's warnings go to the log; they do not stop the install.
func TestLintWarnings(t *testing.T) {
	in, logs := newInstaller(t, Options{})
	src := strings.Replace(helloSource(t, "1.0.0"), `Version:        "1.0.0",`, "", 1)
	res := mustInstall(t, in, Source{Path: writeFile(t, t.TempDir(), "hello.go", []byte(src))}, Mode{})
	if res.Version != "" || !strings.Contains(logs.String(), "Lint warning: no Version") {
		t.Errorf("result %+v, log:\n%s", res, logs)
	}
}
