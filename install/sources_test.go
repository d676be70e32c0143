package install

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Every source of an install: what it installs, where, with which modes.
func TestInstallSources(t *testing.T) {
	exe := nativeExe(t)
	here := runtime.GOOS + "_" + runtime.GOARCH
	other := "windows_amd64"
	if here == other {
		other = "linux_amd64"
	}
	helloFiles := map[string]string{
		"plugins/hello":                   "dir drwxr-xr-x",
		"plugins/hello/hello.go":          "file -rw-r--r--",
		"plugins/hello/static":            "dir drwxr-xr-x",
		"plugins/hello/static/index.html": "file -rw-r--r--",
	}
	pkgFiles := map[string]string{
		"packages/pkg":                     "dir drwxr-xr-x",
		"packages/pkg/plugin.yaml":         "file -rw-r--r--",
		"packages/pkg/tentacle-plugin-pkg": "file -rwxr-xr-x",
	}
	multi := []entry{
		{name: "pkg/plugin.yaml", body: manifest("pkg", "3.0.0", sum(exe))},
		{name: "pkg/README.md", body: "not installed"},
		{name: "pkg/" + here + "/tentacle-plugin-pkg", body: string(exe), mode: 0o755},
		{name: "pkg/" + other + "/tentacle-plugin-pkg", body: "another platform's", mode: 0o755},
		{name: "pkg/" + other + "/plugin.yaml", body: manifest("pkg", "3.0.0", sum([]byte("another platform's")))},
	}
	multiOwn := []entry{ // the platform folder has its own manifest, the top none
		{name: "pkg/" + here + "/tentacle-plugin-pkg", body: string(exe), mode: 0o755},
		{name: "pkg/" + here + "/plugin.yaml", body: manifest("pkg", "3.1.0", sum(exe))},
		{name: "pkg/" + other + "/tentacle-plugin-pkg", body: "x", mode: 0o755},
	}

	// What the local folders and the HTTP server hold.
	src := t.TempDir()
	helloDir := filepath.Join(src, "hello")
	writeFile(t, helloDir, "hello.go", []byte(helloSource(t, "1.0.0")))
	writeFile(t, helloDir, "static/index.html", []byte("<p>hello</p>\n"))
	pkgDir := filepath.Join(src, "pkg")
	writeFile(t, pkgDir, "plugin.yaml", []byte(manifest("pkg", "2.0.0", sum(exe))))
	writeFile(t, pkgDir, "tentacle-plugin-pkg", exe) // 0644: made 0755
	linkDir := filepath.Join(src, "links", "hello")  // a link to the folder, named after the plugin
	writeDir(t, filepath.Dir(linkDir))
	if err := os.Symlink(helloDir, linkDir); err != nil {
		t.Fatal(err)
	}
	multiDir := filepath.Join(src, "multi", "pkg")
	writeFile(t, multiDir, here+"/tentacle-plugin-pkg", exe)
	writeFile(t, multiDir, "plugin.yaml", []byte(manifest("pkg", "3.0.0", sum(exe))))
	files := map[string][]byte{
		"hello.go":     []byte(helloSource(t, "1.0.0")),
		"hello.zip":    zipOf(t, helloEntries(t, "hello", "1.0.0")...),
		"hello.tar.gz": tarOf(t, true, helloEntries(t, "hello", "1.0.0")...),
		"hello.tgz":    tarOf(t, true, helloEntries(t, "./hello", "1.0.0")...),
		"hello.tar":    tarOf(t, false, helloEntries(t, "hello", "1.0.0")...),
		"pkg.tar.gz":   tarOf(t, true, pkgEntries("pkg", "2.0.0", exe)...),
		"pkg.zip":      zipOf(t, pkgEntries("pkg", "2.0.0", exe)...),
		"multi.zip":    zipOf(t, multi...),
		"multiown.tgz": tarOf(t, true, multiOwn...),
		"macos.zip": zipOf(t, append(helloEntries(t, "hello", "1.0.0"),
			entry{name: "__MACOSX/hello/._hello.go", body: "resource fork"}, entry{name: ".DS_Store", body: "x"})...),
	}
	for name, data := range files {
		writeFile(t, src, name, data)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "download" { // a name only in Content-Disposition
			name = r.URL.Query().Get("file")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		}
		data, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()

	cases := []struct {
		name    string
		src     Source
		id      string
		kind    Kind
		version string
		path    string
		files   map[string]string
	}{
		{"single .go file", Source{Path: filepath.Join(src, "hello.go")}, "hello", KindSource, "1.0.0", "plugins/hello.go",
			map[string]string{"plugins/hello.go": "file -rw-r--r--"}},
		{"source folder", Source{Path: helloDir}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"link to a source folder", Source{Path: linkDir}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"zip", Source{Path: filepath.Join(src, "hello.zip")}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"tar.gz", Source{Path: filepath.Join(src, "hello.tar.gz")}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"tgz with ./", Source{Path: filepath.Join(src, "hello.tgz")}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"plain tar", Source{Path: filepath.Join(src, "hello.tar")}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"zip with macOS leftovers", Source{Path: filepath.Join(src, "macos.zip")}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"package tar.gz", Source{Path: filepath.Join(src, "pkg.tar.gz")}, "pkg", KindPackage, "2.0.0", "packages/pkg", pkgFiles},
		{"package zip", Source{Path: filepath.Join(src, "pkg.zip")}, "pkg", KindPackage, "2.0.0", "packages/pkg", pkgFiles},
		{"package per platform, top manifest", Source{Path: filepath.Join(src, "multi.zip")}, "pkg", KindPackage, "3.0.0", "packages/pkg", pkgFiles},
		{"package per platform, own manifest", Source{Path: filepath.Join(src, "multiown.tgz")}, "pkg", KindPackage, "3.1.0", "packages/pkg", pkgFiles},
		{"package folder", Source{Path: pkgDir}, "pkg", KindPackage, "2.0.0", "packages/pkg", pkgFiles},
		{"package folder per platform", Source{Path: multiDir}, "pkg", KindPackage, "3.0.0", "packages/pkg", pkgFiles},
		{"URL of a zip", Source{URL: srv.URL + "/hello.zip"}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"URL of a package", Source{URL: srv.URL + "/pkg.tar.gz"}, "pkg", KindPackage, "2.0.0", "packages/pkg", pkgFiles},
		{"URL of a .go file", Source{URL: srv.URL + "/hello.go"}, "hello", KindSource, "1.0.0", "plugins/hello.go",
			map[string]string{"plugins/hello.go": "file -rw-r--r--"}},
		{"URL named by Content-Disposition", Source{URL: srv.URL + "/download?file=hello.go"}, "hello", KindSource, "1.0.0", "plugins/hello.go",
			map[string]string{"plugins/hello.go": "file -rw-r--r--"}},
		{"upload with a Name", Source{Path: writeFile(t, src, "upload-1", files["hello.tar.gz"]), Name: "hello-1.0.0.tar.gz"}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"upload of a .go file", Source{Path: writeFile(t, src, "upload-2", files["hello.go"]), Name: "hello.go"}, "hello", KindSource, "1.0.0", "plugins/hello.go",
			map[string]string{"plugins/hello.go": "file -rw-r--r--"}},
		{"zip told by its content", Source{Path: writeFile(t, src, "blob/hello", files["hello.zip"])}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"tar told by its content", Source{Path: writeFile(t, src, "blob2/hello", files["hello.tar"])}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
		{"Go source told by its content", Source{Path: writeFile(t, src, "blob3/upload", files["hello.go"]), Name: "hello"}, "hello", KindSource, "1.0.0", "plugins/hello.go",
			map[string]string{"plugins/hello.go": "file -rw-r--r--"}},
		{"with its SHA-256", Source{Path: filepath.Join(src, "hello.zip"), SHA256: strings.ToUpper(sum(files["hello.zip"]))}, "hello", KindSource, "1.0.0", "plugins/hello", helloFiles},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, logs := newInstaller(t, Options{})
			res, err := in.Install(context.Background(), tc.src, Mode{})
			if err != nil {
				t.Fatal(err)
			}
			want := Result{ID: tc.id, Name: strings.ToUpper(tc.id[:1]) + tc.id[1:], Version: tc.version, Kind: tc.kind, Path: filepath.FromSlash(tc.path)}
			if res != want {
				t.Errorf("result %+v, want %+v", res, want)
			}
			got := snapshot(t, in.opts.BaseDir)
			for path, kind := range tc.files {
				if !strings.HasPrefix(got[filepath.FromSlash(path)], kind) {
					t.Errorf("%s: %q, want %s", path, got[filepath.FromSlash(path)], kind)
				}
			}
			// Nothing else: the parents, the files listed; no staging.
			for path := range got {
				if _, ok := tc.files[filepath.ToSlash(path)]; !ok && path != "." && path != filepath.Dir(filepath.FromSlash(tc.path)) {
					t.Errorf("unexpected %s (%s)", path, got[path])
				}
			}
			if tc.kind == KindPackage {
				data, err := os.ReadFile(filepath.Join(in.opts.BaseDir, "packages", "pkg", "tentacle-plugin-pkg"))
				if err != nil || sum(data) != sum(exe) {
					t.Errorf("the executable installed is not this platform's (%v)", err)
				}
			}
			where := tc.path
			if !strings.HasSuffix(where, ".go") {
				where += "/"
			}
			if line := "Installed " + tc.id + " " + tc.version + " into " + where; !strings.Contains(logs.String(), line) {
				t.Errorf("log lacks %q:\n%s", line, logs)
			}
		})
	}
}

// Progress reports the bytes of a download, the last report the total.
func TestDownloadProgress(t *testing.T) {
	data := zipOf(t, helloEntries(t, "hello", "1.0.0")...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(data) }))
	defer srv.Close()
	var last [2]int64
	calls := 0
	in, logs := newInstaller(t, Options{Progress: func(done, total int64) { calls++; last = [2]int64{done, total} }})
	mustInstall(t, in, Source{URL: srv.URL + "/hello.zip"}, Mode{})
	if calls == 0 || last != [2]int64{int64(len(data)), int64(len(data))} {
		t.Errorf("%d progress calls, the last (%d, %d), want (%d, %d)", calls, last[0], last[1], len(data), len(data))
	}
	if !strings.Contains(logs.String(), "Downloading "+srv.URL+"/hello.zip") {
		t.Errorf("log lacks the download:\n%s", logs)
	}
}
