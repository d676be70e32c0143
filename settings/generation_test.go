package settings_test

import (
	"testing"

	"github.com/tentacle-go/tentacle/settings"
)

// TestGeneration: every change of any layer moves the generation on, a
// read does not.
func TestGeneration(t *testing.T) {
	s := settings.New(map[string]any{"a": 1})
	p := s.Plugin("x")
	steps := []struct {
		name    string
		do      func() error
		changes bool
	}{
		{"get", func() error { _ = s.Get("a"); _ = p.Get("b"); return nil }, false},
		{"set", func() error { return s.Set("a", 2) }, true},
		{"plugin set", func() error { return p.Set("b", 3) }, true},
		{"remove", func() error { return s.Remove("a") }, true},
		{"overlay", func() error { s.AddOverlay("o", map[string]any{"a": 4}); return nil }, true},
		{"overlay removed", func() error { s.RemoveOverlay("o"); return nil }, true},
		{"plugin defaults", func() error { s.SetPluginDefaults("x", map[string]any{"c": 5}); return nil }, true},
		{"plugin defaults removed", func() error { s.RemovePluginDefaults("x"); return nil }, true},
		{"has", func() error { _ = p.Has("c"); return nil }, false},
	}
	for _, st := range steps {
		before := s.Generation()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if changed := s.Generation() != before; changed != st.changes {
			t.Errorf("%s: generation changed %v, want %v", st.name, changed, st.changes)
		}
		if p.Generation() != s.Generation() {
			t.Errorf("%s: the plugin's view has generation %d, the store %d", st.name, p.Generation(), s.Generation())
		}
	}
}
