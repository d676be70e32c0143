package install

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

var errInjected = errors.New("injected failure")

// setFailpoint makes fn the failpoint until the test ends.
func setFailpoint(t testing.TB, fn func(point string) error) {
	t.Helper()
	failpoint.Store(&fn)
	t.Cleanup(func() { failpoint.Store(nil) })
}

// failAt returns a failpoint that fails the n-th hit (counting from 0)
// of any point.
func failAt(n int) func(string) error {
	i := 0
	return func(string) error {
		i++
		if i-1 == n {
			return errInjected
		}
		return nil
	}
}

// scenario is an install from a known state of the base directory.
type scenario struct {
	name  string
	setup func(t testing.TB, base string) // the state before
	src   Source
	mode  Mode
}

// scenarios are installs that together reach every point of an install.
func scenarios(t testing.TB, url string) []scenario {
	dir := t.TempDir()
	v1 := func(t testing.TB, base string) { // a folder and a file plugin hello, and another plugin
		writeFile(t, base, "plugins/hello/hello.go", []byte(helloSource(t, "1.0.0")))
		writeFile(t, base, "plugins/hello/static/index.html", []byte("v1"))
		writeFile(t, base, "plugins/hello.go", []byte(helloSource(t, "0.9.0")))
		writeFile(t, base, "plugins/other.go", []byte("package other"))
	}
	hello2 := zipOf(t, helloEntries(t, "hello", "2.0.0")...)
	srcDir := filepath.Join(dir, "src", "hello")
	writeFile(t, srcDir, "hello.go", []byte(helloSource(t, "2.0.0")))
	return []scenario{
		{"zip over a folder and a file", v1, Source{Path: writeFile(t, dir, "hello.zip", hello2), SHA256: sum(hello2)}, Mode{Reinstall: true}},
		{"package by URL into an empty base directory", func(testing.TB, string) {}, Source{URL: url + "/pkg.tgz"}, Mode{}},
		{"package over source plugins", v1, Source{URL: url + "/hello.tgz"}, Mode{Force: true}},
		{"folder", v1, Source{Path: srcDir}, Mode{Reinstall: true}},
		{"one file", func(testing.TB, string) {}, Source{Path: writeFile(t, dir, "hello.go", []byte(helloSource(t, "2.0.0")))}, Mode{}},
		{"the other one", v1, Source{Path: writeFile(t, dir, "x/other.go", []byte(strings.ReplaceAll(helloSource(t, "1.0.0"), "package hello", "package other")))}, Mode{Reinstall: true}},
	}
}

// packageServer serves pkg.tgz and hello.tgz, packages of pkg and hello.
func packageServer(t testing.TB) *httptest.Server {
	exe := nativeExe(t)
	files := map[string][]byte{
		"/pkg.tgz":   tarOf(t, true, pkgEntries("pkg", "1.0.0", exe)...),
		"/hello.tgz": tarOf(t, true, pkgEntries("hello", "3.0.0", exe)...),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if data, ok := files[r.URL.Path]; ok {
			_, _ = w.Write(data)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A failure at any point of an install leaves the base directory exactly
// as it was; after the commit marker, the install stands and Recover
// removes what is left of the transaction.
func TestFailureAtEveryPoint(t *testing.T) {
	srv := packageServer(t)
	reached := map[string]bool{}
	check := func(context.Context, *Staged) error { return nil }
	for _, sc := range scenarios(t, srv.URL) {
		t.Run(sc.name, func(t *testing.T) {
			// A run without failures: the points it reaches, the state after.
			base := t.TempDir()
			sc.setup(t, base)
			var trace []string
			setFailpoint(t, func(p string) error { trace = append(trace, p); return nil })
			in, _ := newInstaller(t, Options{BaseDir: base, Check: check})
			mustInstall(t, in, sc.src, sc.mode)
			after := snapshot(t, base)
			for _, p := range trace {
				reached[p] = true
			}
			for i, point := range trace {
				base := t.TempDir()
				sc.setup(t, base)
				before := snapshot(t, base)
				setFailpoint(t, failAt(i))
				in, logs := newInstaller(t, Options{BaseDir: base, Check: check})
				_, err := in.Install(context.Background(), sc.src, sc.mode)
				if point == fpCleanup {
					// Committed: it stands; the leftovers are Recover's.
					if err != nil {
						t.Fatalf("failure at %s (#%d): %v", point, i, err)
					}
					if !strings.Contains(logs.String(), "Recover removes them") {
						t.Errorf("failure at %s: the log does not say what is left:\n%s", point, logs)
					}
					if err := Recover(base); err != nil {
						t.Fatal(err)
					}
					sameTree(t, base, after, "failure at "+point+", then Recover")
					continue
				}
				var ie *Error
				if !errors.Is(err, errInjected) || !errors.As(err, &ie) {
					t.Fatalf("failure at %s (#%d): error %v", point, i, err)
				}
				sameTree(t, base, before, "failure at "+point)
			}
		})
	}
	var missed []string
	for _, p := range []string{fpDownload, fpDownloadBody, fpCopy, fpVerify, fpUnpackEntry, fpUnpackDone, fpLayout, fpPackage,
		fpLint, fpCheck, fpSync, fpJournal, fpMkdir, fpMove, fpPlaced, fpMarker, fpCleanup} {
		if !reached[p] {
			missed = append(missed, p)
		}
	}
	if len(missed) > 0 {
		t.Errorf("points no scenario reached: %v", missed)
	}
}

// A failure while a rollback (of Rollback, or of a failed Place) moves
// things back leaves the transaction to Recover, which finishes it: the
// base directory is as before the install.
func TestFailureInRollback(t *testing.T) {
	srv := packageServer(t)
	sc := scenarios(t, srv.URL)[2] // three moves, and packages/ made
	undoHits := 0
	{
		base := t.TempDir()
		sc.setup(t, base)
		setFailpoint(t, func(p string) error {
			if p == fpUndo {
				undoHits++
			}
			return nil
		})
		in, _ := newInstaller(t, Options{BaseDir: base})
		p, err := in.Prepare(context.Background(), sc.src, sc.mode)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Place(); err != nil {
			t.Fatal(err)
		}
		if err := p.Rollback(); err != nil {
			t.Fatal(err)
		}
		if undoHits != 3 {
			t.Fatalf("%d moves undone, want 3", undoHits)
		}
	}
	type fault struct {
		name  string
		point func(string) error
		place bool // the failure is Place's, then its undo's
	}
	var faults []fault
	for n := 0; n <= undoHits; n++ {
		point, nth := fpUndo, n
		if n == undoHits {
			point, nth = fpUndone, 0
		}
		faults = append(faults, fault{name: point + "#" + string(rune('0'+nth)), point: nthHit(point, nth)})
		faults = append(faults, fault{name: "place.placed then " + point + "#" + string(rune('0'+nth)), place: true,
			point: both(nthHit(fpPlaced, 0), nthHit(point, nth))})
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			base := t.TempDir()
			sc.setup(t, base)
			before := snapshot(t, base)
			in, _ := newInstaller(t, Options{BaseDir: base})
			p, err := in.Prepare(context.Background(), sc.src, sc.mode)
			if err != nil {
				t.Fatal(err)
			}
			setFailpoint(t, f.point)
			if f.place {
				err = p.Place()
			} else if err = p.Place(); err == nil {
				err = p.Rollback()
			}
			if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "Recover") {
				t.Fatalf("error %v, want the injected failure, left to Recover", err)
			}
			failpoint.Store(nil)
			if p, err := in.Prepare(context.Background(), sc.src, sc.mode); err != nil {
				t.Errorf("the installer is not free again: %v", err)
			} else {
				p.Discard()
			}
			if err := Recover(base); err != nil {
				t.Fatal(err)
			}
			sameTree(t, base, before, "after Recover")
		})
	}
}

// nthHit fails the n-th hit (from 0) of point.
func nthHit(point string, n int) func(string) error {
	i := 0
	return func(p string) error {
		if p != point {
			return nil
		}
		i++
		if i-1 == n {
			return errInjected
		}
		return nil
	}
}

// both fails where either fails.
func both(a, b func(string) error) func(string) error {
	return func(p string) error { return errors.Join(a(p), b(p)) }
}
