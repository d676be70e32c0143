package install

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Inputs that unpack but are no plugin this host may install are
// refused, in the verify or validate step, with nothing left behind.
func TestValidateRefusals(t *testing.T) {
	exe := nativeExe(t)
	windows := executable(t, "windows", "amd64")
	arm := executable(t, "linux", "arm64")
	if runtime.GOARCH == "arm64" {
		arm = executable(t, "linux", "amd64")
	}
	here := runtime.GOOS + "_" + runtime.GOARCH
	hello := zipOf(t, helloEntries(t, "hello", "1.0.0")...)
	pkg := func(id string, m string, exe []byte) []byte {
		return tarOf(t, true, entry{name: id + "/plugin.yaml", body: m}, entry{name: id + "/tentacle-plugin-" + id, body: string(exe), mode: 0o755})
	}
	src := t.TempDir()
	folder := filepath.Join(src, "hello")
	writeFile(t, folder, "hello.go", []byte(helloSource(t, "1.0.0")))

	linked := filepath.Join(src, "linked")
	writeFile(t, linked, "linked.go", []byte(helloSource(t, "1.0.0")))
	if err := os.Symlink("/etc/passwd", filepath.Join(linked, "passwd")); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		file string // written with data; "" for src as it is
		data []byte
		src  Source
		step Step
		kind error
		msg  string
	}{
		{"wrong checksum", "hello.zip", hello, Source{SHA256: strings.Repeat("ab", 32)}, StepVerify, ErrChecksum,
			"hello.zip has SHA-256 " + sum(hello) + ", expected " + strings.Repeat("ab", 32)},
		{"malformed checksum", "hello.zip", hello, Source{SHA256: "abc"}, StepVerify, ErrInvalid, `SHA-256 "abc" is not 64 hex digits`},
		{"checksum of a folder", "", nil, Source{Path: folder, SHA256: sum(hello)}, StepVerify, ErrInvalid, "a SHA-256 is for a file"},
		{"nothing to install", "", nil, Source{}, StepDownload, ErrInvalid, "give either a URL or a path"},
		{"two things to install", "", nil, Source{Path: folder, URL: "http://example.com/x.zip"}, StepDownload, ErrInvalid, "give either a URL or a path"},
		{"missing file", "", nil, Source{Path: filepath.Join(src, "nope.zip")}, StepDownload, os.ErrNotExist, "no such file"},
		{"a named pipe", "", nil, Source{Path: fifo(t, filepath.Join(src, "pipe.zip"))}, StepDownload, ErrInvalid, "pipe.zip is not a file or folder"},
		{"a folder with a link", "", nil, Source{Path: linked}, StepUnpack, ErrUnsafe, "linked/passwd is a symbolic link"},
		{"unknown type", "notes.txt", []byte("just some notes"), Source{}, StepUnpack, ErrInvalid, "cannot tell what notes.txt is"},
		{"executable for windows", "p.tgz", pkg("p", manifest("p", "1.0.0", sum(windows)), windows), Source{}, StepValidate, ErrPlatform,
			"tentacle-plugin-p is built for windows/amd64, this machine is " + runtime.GOOS + "/" + runtime.GOARCH},
		{"executable for another architecture", "p.tgz", pkg("p", manifest("p", "1.0.0", sum(arm)), arm), Source{}, StepValidate, ErrPlatform, "tentacle-plugin-p is built for linux/"},
		{"not an executable", "p.tgz", pkg("p", manifest("p", "1.0.0", sum([]byte("MZ junk"))), []byte("MZ junk")), Source{}, StepValidate, ErrPlatform, "not an executable for"},
		{"manifest lies", "p.tgz", pkg("p", manifest("p", "1.0.0", strings.Repeat("0", 64)), exe), Source{}, StepValidate, ErrChecksum,
			"tentacle-plugin-p has SHA-256 " + sum(exe) + ", and plugin.yaml says " + strings.Repeat("0", 64)},
		{"manifest of another plugin", "p.tgz", pkg("p", manifest("q", "1.0.0", sum(exe)), exe), Source{}, StepValidate, ErrLayout, `plugin.yaml says id "q", and the folder is p/`},
		{"manifest that does not parse", "p.tgz", pkg("p", "id: p\nsha256: [\n", exe), Source{}, StepValidate, ErrInvalid, "plugin.yaml: yaml"},
		{"manifest without sha256", "p.tgz", pkg("p", "id: p\n", exe), Source{}, StepValidate, ErrInvalid, "no sha256"},
		{"no executable", "p.tgz", tarOf(t, true, entry{name: "p/plugin.yaml", body: manifest("p", "1.0.0", sum(exe))}), Source{}, StepValidate, ErrLayout, "no executable tentacle-plugin-p"},
		{"no folder for this platform", "p.zip", zipOf(t, entry{name: "p/windows_386/tentacle-plugin-p", body: "x"}, entry{name: "p/plugin.yaml", body: manifest("p", "1.0.0", sum([]byte("x")))}), Source{}, StepValidate, ErrPlatform,
			"the package has no folder for " + runtime.GOOS + "/" + runtime.GOARCH + ", only windows_386"},
		{"no manifest for this platform", "p.zip", zipOf(t, entry{name: "p/" + here + "/tentacle-plugin-p", body: string(exe), mode: 0o755}), Source{}, StepValidate, ErrLayout, "no plugin.yaml in " + here + "/ nor in p/"},
		{"two top folders", "x.zip", zipOf(t, entry{name: "a/a.go", body: "package a"}, entry{name: "b/b.go", body: "package b"}), Source{}, StepValidate, ErrLayout, "found a/, b/"},
		{"a file at the top", "x.zip", zipOf(t, entry{name: "hello.go", body: helloSource(t, "1.0.0")}), Source{}, StepValidate, ErrLayout, "found hello.go"},
		{"empty archive", "x.zip", zipOf(t), Source{}, StepValidate, ErrLayout, "found nothing"},
		{"only ignored names", "x.tgz", tarOf(t, true, entry{name: "_hello/hello.go", body: "package hello"}), Source{}, StepValidate, ErrLayout, "found nothing"},
		{"invalid identifier", "x.zip", zipOf(t, helloEntries(t, "Hello-World", "1.0.0")...), Source{}, StepValidate, ErrInvalid, `invalid identifier "Hello-World"`},
		{"invalid file name", "Hello.go", []byte(helloSource(t, "1.0.0")), Source{}, StepValidate, ErrInvalid, `invalid identifier "Hello"`},
		{"folder starting with _", "", nil, Source{Path: writeDir(t, filepath.Join(src, "_hidden"))}, StepValidate, ErrInvalid, "starts with _"},
		{"lint refuses", "broken.go", readFixture(t, "broken/broken.go"), Source{}, StepValidate, ErrInvalid, "lint: broken.go:10:2: range over an integer"},
		{"no Go files", "x.zip", zipOf(t, entry{name: "doc/README.md", body: "no code"}), Source{}, StepValidate, ErrInvalid, "no Go files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.src
			if tc.file != "" {
				s.Path = writeFile(t, t.TempDir(), tc.file, tc.data)
			}
			in, _ := newInstaller(t, Options{})
			before := snapshot(t, in.opts.BaseDir)
			_, err := in.Install(context.Background(), s, Mode{})
			var ie *Error
			if !errors.As(err, &ie) || ie.Step != tc.step || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want a %s error matching %v, saying %q", err, tc.step, tc.kind, tc.msg)
			}
			sameTree(t, in.opts.BaseDir, before, "after a refusal")
		})
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeDir(t testing.TB, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The platform of an executable is read from its header: ELF, Mach-O or
// PE, for the system and the architecture; a script runs anywhere.
func TestCheckPlatform(t *testing.T) {
	dir := t.TempDir()
	native := writeFile(t, dir, "native", nativeExe(t))
	win := writeFile(t, dir, "win.exe", executable(t, "windows", "amd64"))
	arm := writeFile(t, dir, "arm", executable(t, "linux", "arm64"))
	script := writeFile(t, dir, "script", []byte("#!/bin/sh\nexec python3 plugin.py\n"))
	junk := writeFile(t, dir, "junk", []byte("\x7fELF but not really"))
	cases := []struct {
		path, goos, goarch string
		msg                string // "" when it runs
	}{
		{native, runtime.GOOS, runtime.GOARCH, ""},
		{win, "windows", "amd64", ""},
		{win, "linux", "amd64", "win.exe is built for windows/amd64, this machine is linux/amd64"},
		{win, "windows", "arm64", "built for windows/amd64, this machine is windows/arm64"},
		{arm, "linux", "arm64", ""},
		{arm, "android", "arm64", ""},
		{arm, "linux", "amd64", "arm is built for linux/arm64, this machine is linux/amd64"},
		{arm, "darwin", "arm64", "built for linux/arm64, this machine is darwin/arm64"},
		{script, "plan9", "arm", ""},
		{junk, "linux", "amd64", "junk is not an executable for linux/amd64"},
	}
	for _, tc := range cases {
		err := checkPlatform(tc.path, tc.goos, tc.goarch)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%s on %s/%s: %v", filepath.Base(tc.path), tc.goos, tc.goarch, err)
		case tc.msg != "" && (!errors.Is(err, ErrPlatform) || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("%s on %s/%s: %v, want ErrPlatform saying %q", filepath.Base(tc.path), tc.goos, tc.goarch, err, tc.msg)
		}
	}
}

// Reserved identifiers are refused, Force or not, before anything of the
// plugin runs.
func TestReserved(t *testing.T) {
	asked := ""
	in, _ := newInstaller(t, Options{Reserved: func(id string) string {
		asked = id
		if id == "hello" {
			return "a bundled plugin"
		}
		return ""
	}})
	path := writeFile(t, t.TempDir(), "hello.zip", zipOf(t, helloEntries(t, "hello", "1.0.0")...))
	for _, mode := range []Mode{{}, {Force: true}, {Reinstall: true}} {
		_, err := in.Install(context.Background(), Source{Path: path}, mode)
		if !errors.Is(err, ErrReserved) || err.Error() != `install "hello": validate: the identifier "hello" is reserved: a bundled plugin` {
			t.Errorf("mode %+v: error %v, want ErrReserved", mode, err)
		}
	}
	if asked != "hello" {
		t.Errorf("Reserved was asked about %q", asked)
	}
}

// An installed identifier, of any kind, is refused without Reinstall or
// Force.
func TestAlreadyInstalled(t *testing.T) {
	exe := nativeExe(t)
	for _, installed := range []string{"plugins/hello.go", "plugins/hello/hello.go", "packages/hello/plugin.yaml"} {
		t.Run(installed, func(t *testing.T) {
			in, _ := newInstaller(t, Options{})
			writeFile(t, in.opts.BaseDir, installed, []byte("package hello"))
			before := snapshot(t, in.opts.BaseDir)
			dir := t.TempDir()
			for _, src := range []Source{
				{Path: writeFile(t, dir, "hello.zip", zipOf(t, helloEntries(t, "hello", "2.0.0")...))},
				{Path: writeFile(t, dir, "hello.tgz", tarOf(t, true, pkgEntries("hello", "2.0.0", exe)...))},
			} {
				_, err := in.Install(context.Background(), src, Mode{})
				if !errors.Is(err, ErrInstalled) || !strings.Contains(err.Error(), "hello is installed as "+strings.SplitN(installed, "/", 3)[0]+"/hello") {
					t.Errorf("%s: error %v, want ErrInstalled", filepath.Base(src.Path), err)
				}
			}
			sameTree(t, in.opts.BaseDir, before, "after ErrInstalled")
		})
	}
}

// The host's Check sees the staged plugin and can refuse it; Force skips
// it.
func TestCheck(t *testing.T) {
	var seen Staged
	refuse := errors.New("blocklisted: hello 1.0.0")
	in, _ := newInstaller(t, Options{Check: func(_ context.Context, s *Staged) error {
		seen = *s
		if _, err := os.Stat(filepath.Join(s.Dir, "hello.go")); err != nil {
			return err
		}
		return refuse
	}})
	path := writeFile(t, t.TempDir(), "hello.zip", zipOf(t, helloEntries(t, "hello", "1.0.0")...))
	_, err := in.Install(context.Background(), Source{Path: path}, Mode{})
	if !errors.Is(err, refuse) || err.Error() != `install "hello": validate: blocklisted: hello 1.0.0` {
		t.Fatalf("error %v, want the Check's", err)
	}
	if seen.ID != "hello" || seen.Name != "Hello" || seen.Version != "1.0.0" || seen.Kind != KindSource || seen.Manifest != nil || len(seen.Replaces) != 0 {
		t.Errorf("Check saw %+v", seen)
	}
	seen = Staged{}
	mustInstall(t, in, Source{Path: path}, Mode{Force: true})
	if seen.ID != "" {
		t.Errorf("Check ran with Force: %+v", seen)
	}

	// What Check does to the Staged it is given changes nothing.
	in, _ = newInstaller(t, Options{BaseDir: in.opts.BaseDir, Check: func(_ context.Context, s *Staged) error {
		s.ID, s.Replaces[0] = "evil", "config.yaml"
		return nil
	}})
	if res := mustInstall(t, in, Source{Path: path}, Mode{Reinstall: true}); res.ID != "hello" || res.Path != filepath.Join("plugins", "hello") {
		t.Errorf("result %+v", res)
	}
}

// A Check that panics leaves neither the installer busy nor anything in
// the base directory.
func TestCheckPanics(t *testing.T) {
	panics := true
	in, _ := newInstaller(t, Options{Check: func(context.Context, *Staged) error {
		if panics {
			panic("the host's bug")
		}
		return nil
	}})
	before := snapshot(t, in.opts.BaseDir)
	path := writeFile(t, t.TempDir(), "hello.go", []byte(helloSource(t, "1.0.0")))
	func() {
		defer func() {
			if r := recover(); r != "the host's bug" {
				t.Errorf("recovered %v", r)
			}
		}()
		_, _ = in.Install(context.Background(), Source{Path: path}, Mode{})
	}()
	sameTree(t, in.opts.BaseDir, before, "after a panic in Check")
	panics = false
	mustInstall(t, in, Source{Path: path}, Mode{})
}
