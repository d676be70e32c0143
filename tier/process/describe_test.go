package process_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
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
			want := process.Manifest{ID: "hello", Name: "Hello", Version: "1.0.0", SHA256: sum,
				// No mixins sent: none is checked.
				Declares: &process.Declares{Hooks: []string{"test.greet", "test.line"}, Mixins: []string{}}}
			if diff := cmp.Diff(&want, m); diff != "" {
				t.Errorf("Describe mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDescribeMixins describes a plugin with a host's mixins, as tentacle
// plugins pack does with the server's: the manifest names those it
// implements, and all that were checked, by the names listings show.
func TestDescribeMixins(t *testing.T) {
	exe := bin(t, "hello")
	mixins := append(tentacle.Mixins(), server.Mixins()...)
	m, err := process.Describe(context.Background(), exe, 5*time.Second, mixins...)
	if err != nil {
		t.Fatal(err)
	}
	var checked []string
	for _, mx := range mixins {
		checked = append(checked, mx.Name())
	}
	sort.Strings(checked)
	want := &process.Declares{
		Hooks:         []string{"test.greet", "test.line"},
		Mixins:        []string{"server.SimpleAPI", "tentacle.Initializer", "tentacle.SettingsPlugin"},
		MixinsChecked: checked,
	}
	if diff := cmp.Diff(want, m.Declares); diff != "" {
		t.Errorf("Declares mismatch (-want +got):\n%s", diff)
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
		{name: "declares", m: process.Manifest{ID: "decl", SHA256: goodSHA, Declares: &process.Declares{
			Hooks: []string{"a.hook", "b.hook"}, Mixins: []string{"tentacle.RestartNeeding"},
			MixinsChecked: []string{"server.Asset", "tentacle.RestartNeeding"}, SettingsOverlay: true}}},
		{name: "declares nothing", m: process.Manifest{ID: "none", SHA256: goodSHA, Declares: &process.Declares{
			Hooks: []string{}, Mixins: []string{}, MixinsChecked: []string{"tentacle.RestartNeeding"}}}},
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
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("read back mismatch (-want +got):\n%s\n%s", diff, data)
			}
		})
	}
}

// TestManifestDeclaration reads what a manifest declares: nothing from one
// without a declares section (an older one), the facts of one with it,
// which the process tier's candidates carry.
func TestManifestDeclaration(t *testing.T) {
	const head = "id: decl\nsha256: " + goodSHA + "\n"
	tests := []struct {
		name string
		yaml string
		want *tier.Declaration
	}{
		{name: "without declares", yaml: head},
		{name: "written by pack", yaml: head + "declares:\n  hooks: [x.hook]\n  mixins: [tentacle.RestartNeeding]\n  mixins_checked: [tentacle.Initializer, tentacle.RestartNeeding]\n  settings_overlay: true\n",
			want: &tier.Declaration{Hooks: []string{"x.hook"}, HooksKnown: true, Mixins: []string{"tentacle.RestartNeeding"},
				MixinsChecked: []string{"tentacle.Initializer", "tentacle.RestartNeeding"}, SettingsOverlay: true, SettingsOverlayKnown: true}},
		{name: "by hand, no mixins checked", yaml: head + "declares:\n  mixins: [server.Asset]\n",
			want: &tier.Declaration{HooksKnown: true, Mixins: []string{"server.Asset"}, SettingsOverlayKnown: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "decl")
			writeFile(t, filepath.Join(dir, process.ManifestFile), tt.yaml)
			writeFile(t, filepath.Join(dir, "tentacle-plugin-decl"), "")
			m, err := process.ReadManifest(filepath.Join(dir, process.ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, m.Declaration()); diff != "" {
				t.Errorf("Declaration mismatch (-want +got):\n%s", diff)
			}
			cands, err := process.New(filepath.Dir(dir), process.Options{}).Scan(context.Background())
			if err != nil || len(cands) != 1 {
				t.Fatalf("scan: %v, %d candidates", err, len(cands))
			}
			if diff := cmp.Diff(tt.want, cands[0].Declares()); diff != "" {
				t.Errorf("candidate's Declares mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
