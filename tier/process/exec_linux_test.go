//go:build linux

package process

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifiedCommandRunsTheCheckedFile: the file checked against the
// manifest is the file that runs, even when another is put in its place
// between the check and the start; a script runs too (its interpreter
// reads it through the same descriptor); a file that does not match is
// refused.
func TestVerifiedCommandRunsTheCheckedFile(t *testing.T) {
	if !fdExec {
		t.Skip("no /proc")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, ExecutablePrefix+"x")
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte("#!/bin/sh\necho "+text+" \"$0\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(exe, "checked")
	sha, err := FileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	cmd, started, _, err := verifiedCommand(exe, sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another file put in its place, as an installer renames a new version
	// over the old one.
	other := filepath.Join(dir, "other")
	write(other, "replaced")
	if err := os.Rename(other, exe); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	started()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := strings.TrimSpace(string(out)); !strings.HasPrefix(got, "checked ") {
		t.Errorf("ran %q; want the file that was checked", got)
	}
	if cmd.Args[0] != exe {
		t.Errorf("argv[0] %q, want %q", cmd.Args[0], exe)
	}

	if _, _, _, err := verifiedCommand(exe, sha, nil); !errors.Is(err, ErrChecksum) {
		t.Errorf("the replaced file: %v; want ErrChecksum", err)
	}
}
