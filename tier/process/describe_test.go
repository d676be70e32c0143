package process_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/tier/process"
)

// TestDescribe runs test plugins once to describe themselves: one that
// serves gives its identifier, metadata and SHA-256; one that exits, hangs
// or is no plugin at all is an error saying so.
func TestDescribe(t *testing.T) {
	script := filepath.Join(t.TempDir(), "script")
	writeFile(t, script, "#!/bin/sh\necho not a plugin\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		exe  string
		want string // in the error; "" for success
	}{
		{name: "serves", exe: bin(t, "hello")},
		{name: "exits", exe: bin(t, "exitstart"), want: "exitstart: cannot start without its configuration"},
		{name: "hangs", exe: bin(t, "hangstart"), want: "did not start within 2s"},
		{name: "not a plugin", exe: script, want: "not a plugin"},
		{name: "missing", exe: filepath.Join(t.TempDir(), "nothing"), want: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := process.Describe(context.Background(), tt.exe, 2*time.Second)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Describe: %v, want an error with %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum, err := process.FileSHA256(tt.exe)
			if err != nil {
				t.Fatal(err)
			}
			want := process.Manifest{ID: "hello", Name: "Hello", Version: "1.0.0", SHA256: sum}
			if *m != want {
				t.Errorf("Describe = %+v, want %+v", *m, want)
			}
		})
	}
}

// TestManifestMarshal writes manifests that ReadManifest reads back as they
// were, and refuses those it would refuse.
func TestManifestMarshal(t *testing.T) {
	tests := []struct {
		name string
		m    process.Manifest
		want string // in the error; "" for success
	}{
		{name: "minimal", m: process.Manifest{ID: "hello", SHA256: goodSHA}},
		{name: "every field", m: process.Manifest{ID: "full", Name: "Full: of # marks", Version: "1.0",
			Description: "Line one\nline two", Author: "Ada <ada@example.com>", URL: "https://example.com/full",
			License: "Apache-2.0", PrivacyPolicy: "https://example.com/privacy", Compat: ">=1.0, <2",
			Executable: "run-full", SHA256: goodSHA}},
		{name: "default executable", m: process.Manifest{ID: "dflt", Executable: "tentacle-plugin-dflt", SHA256: goodSHA}},
		{name: "bad id", m: process.Manifest{ID: "Bad-Id", SHA256: goodSHA}, want: `invalid or missing id "Bad-Id"`},
		{name: "no sha256", m: process.Manifest{ID: "nosha"}, want: "no sha256"},
		{name: "executable elsewhere", m: process.Manifest{ID: "away", Executable: "../x", SHA256: goodSHA}, want: "must be a file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.m.Marshal()
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Marshal: %v, want an error with %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.m.Executable == process.ExecutablePrefix+tt.m.ID && strings.Contains(string(data), "executable:") {
				t.Errorf("the default executable is written out:\n%s", data)
			}
			path := filepath.Join(t.TempDir(), process.ManifestFile)
			writeFile(t, path, string(data))
			got, err := process.ReadManifest(path)
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			want := tt.m
			if want.Executable == "" {
				want.Executable = process.ExecutablePrefix + want.ID
			}
			if *got != want {
				t.Errorf("read back %+v, want %+v\n%s", *got, want, data)
			}
		})
	}
}
