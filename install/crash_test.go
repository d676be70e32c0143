package install

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The crash tests run the test binary again as a child (TestMain sees
// childEnv) that installs, rolls back, removes or recovers, with a
// failpoint that writes a marker file and blocks at the point under test;
// the parent kills it with SIGKILL there.
const childEnv = "TENTACLE_INSTALL_TEST_CHILD"

// childSpec is what the child does, as JSON in childEnv.
type childSpec struct {
	Action string // "install", "rollback" (Prepare, Place, Rollback), "remove", "recover"
	Base   string
	Src    Source
	Mode   Mode
	Path   string // Remove's
	Point  string // where to stop,
	Hit    int    // at its Hit-th hit (from 0)
	Marker string // the file written there
}

// child runs as the child and returns its exit status: 0 when it did
// what it was asked without reaching the point, 2 on an error.
func child() int {
	var spec childSpec
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	n := 0
	stop := func(point string) error {
		if point == spec.Point {
			if n == spec.Hit {
				if err := os.WriteFile(spec.Marker, nil, 0o644); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				time.Sleep(time.Hour) // until killed
			}
			n++
		}
		return nil
	}
	failpoint.Store(&stop)
	var err error
	switch spec.Action {
	case "install", "rollback":
		var in *Installer
		if in, err = New(Options{BaseDir: spec.Base}); err != nil {
			break
		}
		if spec.Action == "install" {
			_, err = in.Install(context.Background(), spec.Src, spec.Mode)
			break
		}
		var p *Pending
		if p, err = in.Prepare(context.Background(), spec.Src, spec.Mode); err != nil {
			break
		}
		if err = p.Place(); err == nil {
			err = p.Rollback()
		}
	case "remove":
		err = Remove(spec.Base, spec.Path)
	case "recover":
		err = Recover(spec.Base)
	default:
		err = fmt.Errorf("no action %q", spec.Action)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// killAt runs a child doing spec and kills it with SIGKILL once it
// reaches spec.Point.
func killAt(t *testing.T, spec childSpec) {
	t.Helper()
	spec.Marker = filepath.Join(t.TempDir(), "marker")
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(data))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	end := time.Now().Add(time.Minute) // against a hang only
	for !exists(spec.Marker) {
		select {
		case err := <-exited:
			t.Fatalf("the child ended (%v) before %s #%d:\n%s", err, spec.Point, spec.Hit, out.String())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(end) {
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("the child did not reach %s #%d within a minute:\n%s", spec.Point, spec.Hit, out.String())
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-exited
}

// An install, a rollback or a removal killed at any point of placing
// leaves a base directory that Recover brings back to the state before
// (not committed) or after (committed), never a mix.
func TestCrashAtEveryPlaceStep(t *testing.T) {
	srv := packageServer(t)
	sc := scenarios(t, srv.URL)[2] // a package over two source plugins: three moves, packages/ made
	// The states before and after, and Remove's.
	base := t.TempDir()
	sc.setup(t, base)
	before := snapshot(t, base)
	in, _ := newInstaller(t, Options{BaseDir: base})
	mustInstall(t, in, sc.src, sc.mode)
	after := snapshot(t, base)
	if err := Remove(base, "packages/hello"); err != nil {
		t.Fatal(err)
	}
	removed := snapshot(t, base)

	type at struct {
		point string
		hit   int
	}
	cases := []struct {
		action string
		stops  []at
		want   map[string]string
	}{
		{"install", []at{{fpDownloadBody, 0}, {fpUnpackEntry, 1}, {fpSync, 0}, {fpJournal, 0}, {fpMkdir, 0},
			{fpMove, 0}, {fpMove, 1}, {fpMove, 2}, {fpPlaced, 0}, {fpMarker, 0}}, before},
		{"install", []at{{fpCleanup, 0}}, after},
		{"rollback", []at{{fpUndo, 0}, {fpUndo, 1}, {fpUndo, 2}, {fpUndone, 0}}, before},
	}
	for _, tc := range cases {
		for _, stop := range tc.stops {
			t.Run(fmt.Sprintf("%s at %s #%d", tc.action, stop.point, stop.hit), func(t *testing.T) {
				base := t.TempDir()
				sc.setup(t, base)
				killAt(t, childSpec{Action: tc.action, Base: base, Src: sc.src, Mode: sc.mode, Point: stop.point, Hit: stop.hit})
				if err := Recover(base); err != nil {
					t.Fatal(err)
				}
				sameTree(t, base, tc.want, "after the kill and Recover")
			})
		}
	}
	// Remove, and Recover itself, killed.
	for _, stop := range []at{{fpRemoveMove, 0}, {fpRemoveDelete, 0}} {
		t.Run("remove at "+stop.point, func(t *testing.T) {
			base := t.TempDir()
			sc.setup(t, base)
			in, _ := newInstaller(t, Options{BaseDir: base})
			mustInstall(t, in, sc.src, sc.mode)
			killAt(t, childSpec{Action: "remove", Base: base, Path: filepath.Join(base, "packages", "hello"), Point: stop.point})
			if err := Recover(base); err != nil {
				t.Fatal(err)
			}
			sameTree(t, base, removed, "after the kill and Recover")
		})
	}
	for _, hit := range []int{0, 1} {
		t.Run(fmt.Sprintf("recover at %s #%d", fpUndo, hit), func(t *testing.T) {
			base := t.TempDir()
			sc.setup(t, base)
			killAt(t, childSpec{Action: "install", Base: base, Src: sc.src, Mode: sc.mode, Point: fpPlaced})
			killAt(t, childSpec{Action: "recover", Base: base, Point: fpUndo, Hit: hit})
			if err := Recover(base); err != nil {
				t.Fatal(err)
			}
			sameTree(t, base, before, "after two kills and Recover")
		})
	}
}
