package source_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tentacle-go/tentacle/internal/conformance"
	"github.com/tentacle-go/tentacle/internal/conformance/probesyms"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

// sourceTier runs the conformance fixtures as source plugins: each is
// copied into a plugins folder of its own and interpreted.
type sourceTier struct{}

func (sourceTier) Name() string { return tier.SourceTier }

func (sourceTier) Origin(t testing.TB, fixtures ...string) tier.Origin {
	dir := t.TempDir()
	for _, name := range fixtures {
		copyDir(t, filepath.Join(conformance.FixtureDir(), name), filepath.Join(dir, name))
	}
	return &dirSource{
		Origin: source.New(dir, source.Options{Symbols: []map[string]map[string]reflect.Value{probesyms.Symbols}}),
		dir:    dir,
	}
}

// dirSource is a plugins folder source that knows its folder, so that the
// suite's rescan tests can change what it provides.
type dirSource struct {
	tier.Origin
	dir string
}

var _ conformance.Mutable = sourceTier{}

// Put copies fixture's files in as plugin id, replacing what was there.
func (sourceTier) Put(t testing.TB, src tier.Origin, id, fixture string) {
	t.Helper()
	dir := src.(*dirSource).dir
	if err := os.RemoveAll(filepath.Join(dir, id)); err != nil {
		t.Fatal(err)
	}
	copyDir(t, filepath.Join(conformance.FixtureDir(), fixture), filepath.Join(dir, id))
}

// Delete removes plugin id's files.
func (sourceTier) Delete(t testing.TB, src tier.Origin, id string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(src.(*dirSource).dir, id)); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the Go files of src into dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConformance runs the lifecycle conformance suite against the source
// tier: the very tests the builtin tier runs.
func TestConformance(t *testing.T) {
	conformance.Run(t, sourceTier{})
}
