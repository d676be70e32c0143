package install

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile and broken archives are refused in the unpack step, with the
// base directory, and everything around it, as before.
func TestHostileArchives(t *testing.T) {
	hello := helloEntries(t, "hello", "1.0.0")
	with := func(extra ...entry) []entry { return append(append([]entry(nil), hello...), extra...) }
	many := []entry{{name: "hello/"}}
	for i := 0; i < 60; i++ {
		many = append(many, entry{name: "hello/f" + strings.Repeat("x", i) + ".txt", body: "x"})
	}
	zeros := strings.Repeat("\x00", 4<<20)
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB, barely compressible... in a tar
	truncated := zipOf(t, hello...)
	truncated = truncated[:len(truncated)/2]
	flipped := tarOf(t, true, with(entry{name: "hello/data.txt", body: noise(64 << 10)})...)
	flipped[len(flipped)/2] ^= 0xff
	var stored bytes.Buffer // a zip whose entry is stored as it is: one byte of it changed
	zw := zip.NewWriter(&stored)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "hello/static/index.html", Method: zip.Store})
	if err == nil {
		_, err = w.Write([]byte("<p>hello</p>"))
	}
	if err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	badCRC := stored.Bytes()
	badCRC[bytes.Index(badCRC, []byte("<p>hello</p>"))+3] ^= 0x01

	cases := []struct {
		name string
		file string
		data []byte
		kind error
		msg  string
	}{
		{"zip slip", "x.zip", zipOf(t, with(entry{name: "../x", body: "out"})...), ErrUnsafe, `entry "../x" leaves the folder`},
		{"zip slip in tar", "x.tgz", tarOf(t, true, with(entry{name: "hello/../../x", body: "out"})...), ErrUnsafe, `entry "hello/../../x" leaves the folder`},
		{"absolute path", "x.tar", tarOf(t, false, with(entry{name: "/tmp/x", body: "out"})...), ErrUnsafe, `entry "/tmp/x" is an absolute path`},
		{"absolute path in zip", "x.zip", zipOf(t, with(entry{name: "/tmp/x", body: "out"})...), ErrUnsafe, "absolute path"},
		{"backslash", "x.zip", zipOf(t, with(entry{name: `hello\..\..\x`, body: "out"})...), ErrUnsafe, "backslash"},
		{"NUL byte", "x.zip", zipOf(t, with(entry{name: "hello/a\x00.go", body: "out"})...), ErrUnsafe, "NUL"},
		{"symlink out", "x.tgz", tarOf(t, true, with(entry{name: "hello/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"})...), ErrUnsafe, `entry "hello/passwd" is a symbolic link`},
		{"symlink out in zip", "x.zip", zipOf(t, with(entry{name: "hello/passwd", typ: tar.TypeSymlink, body: "../../../../etc/passwd"})...), ErrUnsafe, "symbolic link"},
		{"symlink then a file through it", "x.tgz", tarOf(t, true, entry{name: "hello/", typ: tar.TypeDir}, entry{name: "hello/d", typ: tar.TypeSymlink, link: "/tmp"}, entry{name: "hello/d/x", body: "out"}), ErrUnsafe, "symbolic link"},
		{"hard link", "x.tgz", tarOf(t, true, with(entry{name: "hello/h", typ: tar.TypeLink, link: "hello/hello.go"})...), ErrUnsafe, "hard link"},
		{"device", "x.tar", tarOf(t, false, with(entry{name: "hello/null", typ: tar.TypeChar})...), ErrUnsafe, "device"},
		{"block device", "x.tar", tarOf(t, false, with(entry{name: "hello/sda", typ: tar.TypeBlock})...), ErrUnsafe, "device"},
		{"fifo", "x.tar", tarOf(t, false, with(entry{name: "hello/p", typ: tar.TypeFifo})...), ErrUnsafe, "named pipe"},
		{"fifo in zip", "x.zip", zipOf(t, with(entry{name: "hello/p", typ: tar.TypeFifo})...), ErrUnsafe, "named pipe"},
		{"other tar type", "x.tar", tarOf(t, false, with(entry{name: "hello/c", typ: tar.TypeCont})...), ErrUnsafe, "tar type"},
		{"duplicate", "x.zip", zipOf(t, with(entry{name: "hello/hello.go", body: "package evil"})...), ErrUnsafe, `entry "hello/hello.go" is a duplicate`},
		{"duplicate in tar", "x.tar", tarOf(t, false, with(entry{name: "./hello/hello.go", body: "package evil"})...), ErrUnsafe, "duplicate"},
		{"duplicate by case", "x.zip", zipOf(t, with(entry{name: "hello/HELLO.go", body: "package evil"})...), ErrUnsafe, "duplicate"},
		{"file inside a file", "x.tar", tarOf(t, false, with(entry{name: "hello/hello.go/x", body: "x"})...), ErrUnsafe, "inside"},
		{"folder over a file", "x.tar", tarOf(t, false, with(entry{name: "hello/hello.go/"})...), ErrUnsafe, "a file and a folder"},
		{"file without a name", "x.tar", tarOf(t, false, with(entry{name: ".", typ: tar.TypeReg, body: "x"})...), ErrUnsafe, "without a name"},
		{"zip bomb", "x.zip", zipOf(t, with(entry{name: "hello/zeros", body: zeros})...), ErrLimit, "times its"},
		{"gzip bomb", "x.tgz", tarOf(t, true, with(entry{name: "hello/zeros", body: zeros})...), ErrLimit, "times its"},
		{"too many files", "x.tar", tarOf(t, false, many...), ErrLimit, "more than 50 entries"},
		{"too many files in zip", "x.zip", zipOf(t, many...), ErrLimit, "more than 50 entries"},
		{"too much data", "x.tar", tarOf(t, false, with(entry{name: "hello/a", body: big}, entry{name: "hello/b", body: big}, entry{name: "hello/c", body: big})...), ErrLimit, "more than 2097152 bytes"},
		{"corrupt zip", "x.zip", truncated, ErrInvalid, "not a valid zip archive"},
		{"corrupt tar.gz", "x.tgz", flipped, ErrInvalid, "gzip: invalid checksum"},
		{"zip with a wrong CRC", "x.zip", badCRC, ErrInvalid, `entry "hello/static/index.html" is corrupt`},
		{"not gzip", "x.tgz", []byte("plain text, not gzip"), ErrInvalid, "not a valid gzip stream"},
		{"corrupt tar", "x.tar", bytes.Repeat([]byte{0xff}, 1024), ErrInvalid, "not a valid tar archive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			base := filepath.Join(root, "a", "b", "base") // ../../x stays inside root
			writeFile(t, base, "plugins/keep.go", []byte("package keep"))
			input := writeFile(t, t.TempDir(), tc.file, tc.data)
			before := snapshot(t, root)
			in, _ := newInstaller(t, Options{BaseDir: base, Limits: Limits{Files: 50, Unpacked: 2 << 20}})
			_, err := in.Install(context.Background(), Source{Path: input}, Mode{})
			var ie *Error
			if !errors.As(err, &ie) || ie.Step != StepUnpack || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v (%#v), want an unpack error matching %v, saying %q", err, ie, tc.kind, tc.msg)
			}
			sameTree(t, root, before, "after a refused archive")
		})
	}
}

// Names are checked element by element: only what stays in the folder
// passes, "." and empty elements dropped.
func TestCleanName(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"hello/a.go", "hello/a.go", true},
		{"./hello//a.go", "hello/a.go", true},
		{"hello/./static/", "hello/static", true},
		{"./", "", true},
		{"hello/a..b", "hello/a..b", true},
		{"..", "", false},
		{"hello/..", "", false},
		{"a/../b", "", false},
		{"/abs", "", false},
		{`a\b`, "", false},
		{"a\x00b", "", false},
	}
	for _, tc := range cases {
		got, err := cleanName(tc.raw)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("cleanName(%q) = %q, %v; want %q, ok %v", tc.raw, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafe) {
			t.Errorf("cleanName(%q): %v is not ErrUnsafe", tc.raw, err)
		}
	}
}
