package process

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tentacle-go/tentacle"
)

// FuzzReadManifest reads arbitrary bytes as plugin.yaml, declares section
// included: never a panic; a manifest that is taken has a valid
// identifier, a SHA-256 in hex and an executable in its own folder; it
// writes (Marshal, what tentacle plugins pack writes) to a manifest that
// reads back equal and writes the same bytes again; and its declaration is
// its declares section.
//
// It runs over its corpus in testdata/fuzz/FuzzReadManifest with go test;
// search for new inputs with
// go test -run XXX -fuzz FuzzReadManifest -fuzztime 60s ./tier/process.
func FuzzReadManifest(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if !tentacle.ValidIdentifier(m.ID) {
			t.Fatalf("invalid id %q taken", m.ID)
		}
		if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != 32 {
			t.Fatalf("sha256 %q taken", m.SHA256)
		}
		if m.Executable == "" || m.Executable == "." || m.Executable == ".." || strings.ContainsAny(m.Executable, `/\`) {
			t.Fatalf("executable %q taken", m.Executable)
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("a manifest that was read does not write: %v", err)
		}
		back, err := parseManifest(out)
		if err != nil {
			t.Fatalf("what Marshal writes does not read: %v\n%s", err, out)
		}
		if diff := cmp.Diff(m, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-read +reread):\n%s\n%s", diff, out)
		}
		again, err := back.Marshal()
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("second write differs (%v):\n%s\n---\n%s", err, out, again)
		}
		d := m.Declaration()
		if (d == nil) != (m.Declares == nil) {
			t.Fatalf("declaration %v for declares %v", d, m.Declares)
		}
		if d != nil {
			if !d.HooksKnown || !d.SettingsOverlayKnown || d.SettingsOverlay != m.Declares.SettingsOverlay ||
				!cmp.Equal(d.Hooks, m.Declares.Hooks, cmpopts.EquateEmpty()) ||
				!cmp.Equal(d.Mixins, m.Declares.Mixins, cmpopts.EquateEmpty()) ||
				!cmp.Equal(d.MixinsChecked, m.Declares.MixinsChecked, cmpopts.EquateEmpty()) {
				t.Fatalf("declaration %+v for declares %+v", d, m.Declares)
			}
		}
		md := m.Metadata()
		if md.Name != m.Name || md.Version != m.Version || md.Compat != m.Compat {
			t.Fatalf("metadata %+v of %+v", md, m)
		}
	})
}
