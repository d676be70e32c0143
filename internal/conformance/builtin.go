package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/fixtures"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/tier"
)

func builtinDefs(t testing.TB, names ...string) map[string]*tentacle.Definition {
	t.Helper()
	defs := make(map[string]*tentacle.Definition, len(names))
	for _, name := range names {
		def, ok := fixtures.All[name]
		if !ok {
			t.Fatalf("no fixture %q", name)
		}
		defs[name] = def
	}
	return defs
}

// Builtin returns the adapter of the builtin tier: fixtures compiled into
// the test binary. It implements [Mutable].
func Builtin() Tier { return builtinTier{} }

var _ Mutable = builtinTier{}

type builtinTier struct{}

func (builtinTier) Name() string { return tier.BuiltinTier }

func (builtinTier) Origin(t testing.TB, names ...string) tier.Origin {
	src := &mutableSource{name: "conformance", defs: make(map[string]*tentacle.Definition), digests: make(map[string]string)}
	for id, def := range builtinDefs(t, names...) {
		src.defs[id], src.digests[id] = def, "builtin:"+id
	}
	return src
}

// Put implements [Mutable]: src provides fixture's definition as plugin id,
// with the fixture's name as its digest (as a hash of its files would be).
func (builtinTier) Put(t testing.TB, src tier.Origin, id, fixture string) {
	t.Helper()
	s, ok := src.(*mutableSource)
	if !ok {
		t.Fatalf("source %T is not the builtin adapter's", src)
	}
	def := builtinDefs(t, fixture)[fixture]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defs[id], s.digests[id] = def, "builtin:"+fixture
}

// Delete implements [Mutable].
func (builtinTier) Delete(t testing.TB, src tier.Origin, id string) {
	t.Helper()
	s, ok := src.(*mutableSource)
	if !ok {
		t.Fatalf("source %T is not the builtin adapter's", src)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.defs, id)
	delete(s.digests, id)
}

// mutableSource is a source of compiled-in fixtures whose set can change,
// as a plugins folder's can. Its candidates have a Remove, which compiled-in
// code cannot really have: it records the removal in the probe and stops
// listing them.
type mutableSource struct {
	name    string
	mu      sync.Mutex
	defs    map[string]*tentacle.Definition
	digests map[string]string
}

func (s *mutableSource) Name() string { return s.name }

func (s *mutableSource) Scan(ctx context.Context) ([]tier.Candidate, error) {
	s.mu.Lock()
	defs := make(map[string]*tentacle.Definition, len(s.defs))
	digests := make(map[string]string, len(s.digests))
	for id, def := range s.defs {
		defs[id], digests[id] = def, s.digests[id]
	}
	s.mu.Unlock()
	cands, err := tier.Definitions(s.name, false, defs).Scan(ctx)
	for i := range cands {
		c := &cands[i]
		id := c.ID
		c.Location = fmt.Sprintf("builtin:%s", id)
		c.Digest = digests[id]
		c.Remove = func() error {
			if err := probe.Fault(id, "remove"); err != nil {
				return err
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			delete(s.defs, id)
			delete(s.digests, id)
			return nil
		}
	}
	return cands, err
}
