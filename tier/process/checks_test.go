//go:build unix

package process

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tick is longer than any file system's clock tick for change times, so
// that two changes this far apart get two stamps.
const tick = 30 * time.Millisecond

// checkFixture is an executable and the record of its checks.
type checkFixture struct {
	t       *testing.T
	dir     string
	exe     string
	records string
	checks  *checks
}

func newCheckFixture(t *testing.T, content string) *checkFixture {
	t.Helper()
	dir := t.TempDir()
	fx := &checkFixture{t: t, dir: dir, exe: filepath.Join(dir, "tentacle-plugin-x"), records: filepath.Join(dir, "checks.json")}
	fx.write(content)
	fx.checks = fx.open()
	return fx
}

// open returns a new record over the fixture's file, as a new run of the
// host has.
func (fx *checkFixture) open() *checks {
	c := newChecks(fx.records)
	c.racy = tick
	return c
}

func (fx *checkFixture) write(content string) {
	fx.t.Helper()
	if err := os.WriteFile(fx.exe, []byte(content), 0o755); err != nil {
		fx.t.Fatal(err)
	}
	time.Sleep(2 * tick) // out of the racy window
}

// check checks the executable against want and reports whether it was
// read (the descriptor is at its end) or answered from the record.
func (fx *checkFixture) check(c *checks, want string) (read bool, err error) {
	fx.t.Helper()
	f, _, err := verifyOpen(fx.exe, want, c)
	if err != nil {
		return false, err
	}
	defer f.Close()
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		fx.t.Fatal(err)
	}
	return off > 0, nil
}

func sum(t *testing.T, content string) string {
	t.Helper()
	got, err := readerSHA256(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestChecksRecord(t *testing.T) {
	const original, other = "#!/bin/sh\necho one\n", "#!/bin/sh\necho two\n" // same size
	tests := []struct {
		name string
		// change alters the fixture after a first check passed; it
		// returns the SHA-256 the manifest then asks for.
		change   func(fx *checkFixture) string
		wantRead bool
		wantErr  error
	}{
		{
			name:   "unchanged: answered from the record",
			change: func(fx *checkFixture) string { return sum(t, original) },
		},
		{
			name:   "unchanged, in a later run of the host: answered from the record file",
			change: func(fx *checkFixture) string { fx.checks = fx.open(); return sum(t, original) },
		},
		{
			name: "rewritten with its modification time set back: read, and refused",
			change: func(fx *checkFixture) string {
				fi, err := os.Stat(fx.exe)
				if err != nil {
					t.Fatal(err)
				}
				fx.write(other)
				if err := os.Chtimes(fx.exe, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * tick)
				return sum(t, original)
			},
			wantRead: true, wantErr: ErrChecksum,
		},
		{
			name: "only its times changed: read again, and passes",
			change: func(fx *checkFixture) string {
				later := time.Now().Add(time.Hour)
				if err := os.Chtimes(fx.exe, later, later); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * tick)
				return sum(t, original)
			},
			wantRead: true,
		},
		{
			name: "replaced by another file with the same content: read",
			change: func(fx *checkFixture) string {
				tmp := fx.exe + ".new"
				if err := os.WriteFile(tmp, []byte(original), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(tmp, fx.exe); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * tick)
				return sum(t, original)
			},
			wantRead: true,
		},
		{
			name:     "the manifest asks for another SHA-256 (an upgrade half done): read, and refused",
			change:   func(fx *checkFixture) string { return sum(t, other) },
			wantRead: true, wantErr: ErrChecksum,
		},
		{
			name: "an unreadable record file: read, and passes",
			change: func(fx *checkFixture) string {
				if err := os.WriteFile(fx.records, []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
				fx.checks = fx.open()
				return sum(t, original)
			},
			wantRead: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCheckFixture(t, original)
			if read, err := fx.check(fx.checks, sum(t, original)); err != nil || !read {
				t.Fatalf("first check: read %v, %v; want read, passed", read, err)
			}
			want := tt.change(fx)
			read, err := fx.check(fx.checks, want)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("check after the change: %v; want %v", err, tt.wantErr)
			}
			if err == nil && read != tt.wantRead {
				t.Errorf("check after the change: read %v; want %v", read, tt.wantRead)
			}
			if tt.wantErr != nil {
				// A refused file is not recorded: refused again.
				if _, err := fx.check(fx.checks, want); !errors.Is(err, tt.wantErr) {
					t.Errorf("second check after the change: %v; want %v", err, tt.wantErr)
				}
			}
		})
	}
}

// A file changed lately is read at every start: its change time may not
// tell a write in the same clock tick.
func TestChecksRacyFileNotRecorded(t *testing.T) {
	const content = "#!/bin/sh\n"
	fx := newCheckFixture(t, content)
	fx.checks.racy = time.Hour
	for i := range 2 {
		if read, err := fx.check(fx.checks, sum(t, content)); err != nil || !read {
			t.Fatalf("check %d: read %v, %v; want read, passed", i+1, read, err)
		}
	}
	if _, err := os.Stat(fx.records); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("record file written for a file just changed: %v", err)
	}
}

// The record file lists only executables that exist.
func TestChecksRecordFileDropsRemoved(t *testing.T) {
	const content = "#!/bin/sh\n"
	fx := newCheckFixture(t, content)
	gone := filepath.Join(fx.dir, "gone")
	if err := os.WriteFile(gone, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * tick)
	if f, _, err := verifyOpen(gone, sum(t, content), fx.checks); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.check(fx.checks, sum(t, content)); err != nil {
		t.Fatal(err)
	}
	later := fx.open()
	later.load()
	if _, ok := later.records[gone]; ok || len(later.records) != 1 {
		t.Errorf("record file holds %v; want only %s", later.records, fx.exe)
	}
	fi, err := os.Stat(fx.records)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("record file mode %v; want no access for others", fi.Mode().Perm())
	}
}
