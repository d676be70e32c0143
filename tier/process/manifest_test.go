package process_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// goodSHA is a well-formed SHA-256 that matches no test executable.
const goodSHA = "0000000000000000000000000000000000000000000000000000000000000000"

// TestManifestProblems lists every broken package with a clear error, both
// in the source's scan and in the manager's listing, and runs none of
// them.
func TestManifestProblems(t *testing.T) {
	cases := []struct {
		name     string
		folder   string
		manifest string // "" for none
		exe      bool   // put an executable tentacle-plugin-<folder> in the folder
		want     string // in the Invalid error
		// notAPlugin: the folder is listed as not a plugin (no manifest
		// declares it one) rather than invalid.
		notAPlugin bool
	}{
		{name: "missing manifest", folder: "nomanifest", exe: true, notAPlugin: true, want: "no plugin.yaml"},
		{name: "malformed YAML", folder: "malformed", exe: true, manifest: "id: [malformed\nsha256: " + goodSHA + "\n", want: "manifest: "},
		{name: "unknown field", folder: "unknown", exe: true, manifest: "id: unknown\nflavour: mint\nsha256: " + goodSHA + "\n", want: "field flavour not found"},
		{name: "bad id", folder: "badid", exe: true, manifest: "id: Bad-Id\nsha256: " + goodSHA + "\n", want: `invalid or missing id "Bad-Id"`},
		{name: "no id", folder: "noid", exe: true, manifest: "name: No id\nsha256: " + goodSHA + "\n", want: `invalid or missing id ""`},
		{name: "id not the folder's", folder: "mismatch", exe: true, manifest: "id: other\nsha256: " + goodSHA + "\n", want: `id "other", but the folder is mismatch/`},
		{name: "no sha256", folder: "nosha", exe: true, manifest: "id: nosha\n", want: "no sha256 of the executable"},
		{name: "sha256 not hex", folder: "shahex", exe: true, manifest: "id: shahex\nsha256: not-a-digest\n", want: `sha256 "not-a-digest" is not a SHA-256 in hex`},
		{name: "sha256 too short", folder: "shashort", exe: true, manifest: "id: shashort\nsha256: abcdef\n", want: `sha256 "abcdef" is not a SHA-256 in hex`},
		{name: "missing executable", folder: "noexe", manifest: "id: noexe\nsha256: " + goodSHA + "\n", want: "tentacle-plugin-noexe is missing"},
		{name: "missing custom executable", folder: "noexe2", exe: true, manifest: "id: noexe2\nexecutable: run-me\nsha256: " + goodSHA + "\n", want: "run-me is missing"},
		{name: "executable with a slash", folder: "slash", exe: true, manifest: "id: slash\nexecutable: bin/tentacle-plugin-slash\nsha256: " + goodSHA + "\n", want: `executable "bin/tentacle-plugin-slash" must be a file name in the manifest's folder`},
		{name: "executable out of the folder", folder: "dotdot", exe: true, manifest: "id: dotdot\nexecutable: ../tentacle-plugin-hello\nsha256: " + goodSHA + "\n", want: `executable "../tentacle-plugin-hello" must be a file name`},
		{name: "executable with a backslash", folder: "backslash", exe: true, manifest: "id: backslash\nexecutable: 'bin\\x'\nsha256: " + goodSHA + "\n", want: `must be a file name in the manifest's folder`},
		{name: "folder not an identifier", folder: "Bad-Folder", exe: true, manifest: "id: bad_folder\nsha256: " + goodSHA + "\n", want: `invalid identifier "Bad-Folder"`},
	}
	h := newHost(t, hostConfig{noStart: true, prepare: func(pkgs string) {
		for _, tc := range cases {
			dir := filepath.Join(pkgs, tc.folder)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.exe {
				// The marker plugin leaves a mark if it is ever run.
				place(t, bin(t, "marker"), filepath.Join(dir, process.ExecutablePrefix+tc.folder))
			}
			if tc.manifest != "" {
				writeFile(t, filepath.Join(dir, process.ManifestFile), tc.manifest)
			}
		}
		// A good package beside them.
		install(t, pkgs, "hello", "hello")
	}})
	cands, err := h.src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]tier.Candidate{}
	for _, c := range cands {
		byID[c.ID] = c
	}
	if c := byID["hello"]; c.Invalid != nil || c.Load == nil {
		t.Errorf("hello: invalid %v, loadable %v", c.Invalid, c.Load != nil)
	}
	if err := h.m.Start(context.Background()); err != nil {
		t.Errorf("start: %v", err) // the broken packages are listed, not errors
	}
	if in := h.info("hello"); !in.Enabled {
		t.Errorf("hello, beside the broken packages: %+v", in)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := byID[tc.folder]
			if !ok {
				t.Fatalf("%s/ not listed by the scan", tc.folder)
			}
			if c.Load != nil {
				t.Error("the candidate can be loaded")
			}
			if tc.notAPlugin {
				if !c.NotAPlugin || !strings.Contains(strings.Join(c.Warnings, "; "), tc.want) {
					t.Errorf("not a plugin %v, warnings %q; want not a plugin with a warning about %q", c.NotAPlugin, c.Warnings, tc.want)
				}
			} else if c.Invalid == nil || !strings.Contains(c.Invalid.Error(), tc.want) {
				t.Errorf("invalid: %v; want an error with %q", c.Invalid, tc.want)
			}
			in := h.info(tc.folder)
			switch {
			case in.Loaded || in.Enabled:
				t.Errorf("listed loaded %v, enabled %v", in.Loaded, in.Enabled)
			case tc.notAPlugin:
				if in.Reason == "" || in.Error != nil {
					t.Errorf("listing: reason %q, error %+v; want a reason and no error", in.Reason, in.Error)
				}
			case in.Error == nil || in.Error.Phase != manager.PhaseDiscover || !strings.Contains(in.Error.Message, tc.want) || !in.Incompatible:
				t.Errorf("listing: error %+v, incompatible %v; want a discover error with %q", in.Error, in.Incompatible, tc.want)
			}
			if ran, _ := filepath.Glob(filepath.Join(h.pkgs, tc.folder, "*.ran")); len(ran) > 0 {
				t.Errorf("its executable ran: %v", ran)
			}
		})
	}
}

// TestChecksumMismatch replaces a package's executable after its manifest
// was written: the host refuses to start it, says why, and never runs it.
func TestChecksumMismatch(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"hello": "hello"}, noStart: true})
	exe := filepath.Join(h.pkgs, "hello", process.ExecutablePrefix+"hello")
	place(t, bin(t, "marker"), exe) // another executable; it leaves a mark if run
	if err := h.m.Start(context.Background()); err == nil {
		t.Fatal("start succeeded with an executable that does not match its manifest")
	}
	in := h.info("hello")
	if in.Enabled || in.Loaded {
		t.Errorf("hello enabled %v, loaded %v", in.Enabled, in.Loaded)
	}
	if in.Error == nil || in.Error.Phase != manager.PhaseImport ||
		!strings.Contains(in.Error.Message, "does not match the SHA-256 of its manifest") ||
		!strings.Contains(in.Error.Message, exe) {
		t.Errorf("error %+v; want an import error naming the mismatch and the executable", in.Error)
	}
	if err := h.m.Err("hello"); !errors.Is(err, process.ErrChecksum) {
		t.Errorf("Err = %v; want one wrapping process.ErrChecksum", err)
	}
	if in.Process != nil && in.Process.PID != 0 {
		t.Errorf("a process runs: %+v", in.Process)
	}
	if _, err := os.Stat(exe + ".ran"); err == nil {
		t.Error("the executable ran")
	}
	// An operator's enable checks again, and refuses again.
	if _, err := h.m.Enable(context.Background(), "hello"); !errors.Is(err, process.ErrChecksum) {
		t.Errorf("enable: %v; want the checksum error", err)
	}
	if _, err := os.Stat(exe + ".ran"); err == nil {
		t.Error("the executable ran on enable")
	}
}

// TestChecksRecordedAcrossStarts: a host with a record of checks records
// the check of a package's executable at its start, and a later start of a
// changed executable is refused all the same, and never runs it.
func TestChecksRecordedAcrossStarts(t *testing.T) {
	defer process.SetRacyWindow(0)()
	records := filepath.Join(t.TempDir(), "checks.json")
	h := newHost(t, hostConfig{plugins: map[string]string{"hello": "hello"}, proc: process.Options{CheckRecords: records}})
	if in := h.info("hello"); !in.Enabled {
		t.Fatalf("hello not enabled: %+v", in.Error)
	}
	exe := filepath.Join(h.pkgs, "hello", process.ExecutablePrefix+"hello")
	sum, err := process.FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(records)
	if err != nil {
		t.Fatalf("no record of the check: %v", err)
	}
	if !strings.Contains(string(b), strconv.Quote(exe)) || !strings.Contains(string(b), sum) {
		t.Errorf("record of checks:\n%s\nwant %s with %s", b, exe, sum)
	}
	if _, err := h.m.Disable(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	place(t, bin(t, "marker"), exe) // written in place: the same inode
	if _, err := h.m.Enable(context.Background(), "hello"); !errors.Is(err, process.ErrChecksum) {
		t.Errorf("enable of the changed executable: %v; want the checksum error", err)
	}
	if _, err := os.Stat(exe + ".ran"); err == nil {
		t.Error("the changed executable ran")
	}
}
