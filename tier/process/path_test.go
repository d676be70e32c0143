package process_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/tier/process"
)

// onPath puts test plugin name into dir as tentacle-plugin-<id>, with a
// manifest beside it (tentacle-plugin-<id>.yaml) when manifest is set, and
// returns the executable.
func onPath(t *testing.T, dir, id, name string, manifest bool) string {
	t.Helper()
	exe := filepath.Join(dir, process.ExecutablePrefix+id)
	place(t, bin(t, name), exe)
	if manifest {
		sum, err := process.FileSHA256(exe)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, exe+".yaml", fmt.Sprintf("id: %s\nname: %s from its manifest\nversion: 2.0.0\nsha256: %s\n", id, name, sum))
	}
	return exe
}

// ran reports whether the marker plugin ran from dir (it leaves
// <executable>.ran in its folder).
func ran(t *testing.T, dir, id string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(dir, process.ExecutablePrefix+id+".ran"))
	return err == nil
}

// TestPathDiscoveryOff: without PathDiscovery, plugin executables on PATH
// are neither listed nor run.
func TestPathDiscoveryOff(t *testing.T) {
	path := t.TempDir()
	onPath(t, path, "bare", "marker", false)
	onPath(t, path, "described", "marker", true)
	h := newHost(t, hostConfig{proc: process.Options{Path: path}})
	for _, id := range []string{"bare", "described"} {
		if _, ok := h.m.Info(id); ok {
			t.Errorf("%s listed", id)
		}
		if ran(t, path, id) {
			t.Errorf("%s ran", id)
		}
	}
}

// TestPathDiscovery: with PathDiscovery, an executable on PATH with a
// manifest beside it is listed from the manifest without being run; one
// without is run once, briefly, to describe itself, and then stopped; one
// that hangs is given up after DescribeTimeout and listed with the reason;
// an invalid name is listed as such; a package in the packages folder wins
// over an executable of the same id on PATH. Enabled, each runs as any
// process plugin.
func TestPathDiscovery(t *testing.T) {
	path := t.TempDir()
	onPath(t, path, "described", "marker", true)
	onPath(t, path, "bare", "marker", false)
	onPath(t, path, "hung", "hangstart", false)
	onPath(t, path, "Bad_Name", "marker", true)
	onPath(t, path, "dup", "marker", false)
	writeFile(t, filepath.Join(path, process.ExecutablePrefix+"notexec"), "#!/bin/sh\n") // not executable: ignored
	if err := os.Chmod(filepath.Join(path, process.ExecutablePrefix+"notexec"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, hostConfig{
		noStart: true,
		plugins: map[string]string{"dup": "hello"},
		proc:    process.Options{PathDiscovery: true, Path: path, DescribeTimeout: 500 * time.Millisecond},
	})
	// The scan runs the describe runs, and leaves nothing running.
	if _, err := h.src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := running(t, path); len(left) > 0 {
		t.Errorf("describe runs left processes: %v", left)
	}
	if err := h.m.Load(context.Background()); err != nil {
		t.Fatal(err)
	}

	in := h.info("described")
	if in.Name != "marker from its manifest" || in.Version != "2.0.0" || in.Tier != "process" || in.Location != filepath.Join(path, process.ExecutablePrefix+"described") {
		t.Errorf("described: name %q, version %q, tier %q, location %q", in.Name, in.Version, in.Tier, in.Location)
	}
	in = h.info("bare")
	if in.Name != "Marker" || in.Version != "0.1.0" || !strings.Contains(strings.Join(in.Warnings, ";"), "described by running it once") {
		t.Errorf("bare: name %q, version %q, warnings %q; want its own metadata and the warning", in.Name, in.Version, in.Warnings)
	}
	if !ran(t, path, "bare") {
		t.Error("bare was not run to describe itself")
	}
	in = h.info("hung")
	if !in.Incompatible || !strings.Contains(in.Reason, "did not start within 500ms") {
		t.Errorf("hung: incompatible %v, reason %q; want the describe run's timeout", in.Incompatible, in.Reason)
	}
	in = h.info("Bad_Name")
	if in.Error == nil || !strings.Contains(in.Error.Message, `invalid identifier "Bad_Name"`) || in.Loaded {
		t.Errorf("Bad_Name: error %+v, loaded %v; want the invalid identifier", in.Error, in.Loaded)
	}
	in = h.info("dup")
	pathDup := filepath.Join(path, process.ExecutablePrefix+"dup")
	if in.Location != filepath.Join(h.pkgs, "dup", process.ExecutablePrefix+"dup") || len(in.Shadowed) != 1 || in.Shadowed[0].Location != pathDup {
		t.Errorf("dup comes from %s, shadows %+v; want the packages folder's, shadowing %s", in.Location, in.Shadowed, pathDup)
	}
	if ran(t, path, "dup") {
		t.Error("the shadowed dup on PATH ran")
	}
	if _, ok := h.m.Info("notexec"); ok {
		t.Error("a file that is not executable is listed")
	}

	// Enabled, a PATH plugin runs as any other.
	if err := h.m.Start(context.Background()); err == nil {
		t.Log("start: no error")
	}
	for _, id := range []string{"described", "bare"} {
		in := h.info(id)
		if !in.Enabled || in.Process == nil || in.Process.PID == 0 {
			t.Errorf("%s: enabled %v, process %+v", id, in.Enabled, in.Process)
		}
		helpers := h.m.PluginManager().Helpers(id, "ping")
		if helpers["ping"] == nil {
			t.Errorf("%s: no helper ping", id)
		}
	}
}

// TestPathChangedAfterDescribe: an executable on PATH without a manifest
// is checked at every start against the SHA-256 it had when it described
// itself; one replaced since is refused.
func TestPathChangedAfterDescribe(t *testing.T) {
	path := t.TempDir()
	exe := onPath(t, path, "bare", "marker", false)
	h := newHost(t, hostConfig{proc: process.Options{PathDiscovery: true, Path: path}})
	ctx := context.Background()
	if in := h.info("bare"); !in.Enabled {
		t.Fatalf("bare is not enabled: %+v", in.Error)
	}
	if _, err := h.m.Disable(ctx, "bare"); err != nil { // stops its process
		t.Fatal(err)
	}
	place(t, bin(t, "hello"), exe) // replaced
	if _, err := h.m.Enable(ctx, "bare"); !errors.Is(err, process.ErrChecksum) {
		t.Errorf("enable: %v; want the checksum refused", err)
	}
	if in := h.info("bare"); in.Enabled {
		t.Error("the replaced executable runs")
	}
}
