package settings

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConcurrentUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	s, err := Open(path, map[string]any{"shared": map[string]any{"n": 0}})
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 16, 100
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			id := fmt.Sprintf("p%d", w)
			ps := s.Plugin(id)
			s.SetPluginDefaults(id, map[string]any{"d": w})
			for i := range rounds {
				if err := ps.Set("n", i); err != nil {
					t.Error(err)
					return
				}
				if err := s.Set("shared.last", w); err != nil {
					t.Error(err)
					return
				}
				_ = ps.GetInt("n")
				_ = s.Get("")
				_ = ps.All()
				_ = s.UserData()
				_ = s.Dirty()
				s.AddOverlay(id, map[string]any{"o": i})
				if i%10 == 0 {
					if err := s.Save(); err != nil {
						t.Error(err)
						return
					}
				}
				if i%25 == 0 {
					s.RemoveOverlay(id)
					_ = s.Remove("shared.last")
				}
			}
			if err := ps.Set("n", rounds); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if s.Dirty() {
		t.Error("dirty after final Save")
	}
	reopened, err := Open(path, map[string]any{"shared": map[string]any{"n": 0}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.UserData(), reopened.UserData()); diff != "" {
		t.Errorf("saved file differs from the store (-store +file):\n%s", diff)
	}
	for w := range workers {
		if got := reopened.Plugin(fmt.Sprintf("p%d", w)).GetInt("n"); got != rounds {
			t.Errorf("p%d.n = %d, want %d", w, got, rounds)
		}
	}
}

func TestConcurrentSavesAreSerialised(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inside := 0
	beforeRename = func(string) error {
		mu.Lock()
		inside++
		n := inside
		mu.Unlock()
		if n > 1 {
			t.Error("two saves write at once")
		}
		mu.Lock()
		inside--
		mu.Unlock()
		return nil
	}
	defer func() { beforeRename = nil }()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.Set(fmt.Sprintf("k%d", i), i); err != nil {
				t.Error(err)
			}
			if err := s.Save(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	reopened, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(reopened.UserData()); got != 20 {
		t.Errorf("file holds %d keys, want 20", got)
	}
	if names := dirEntries(t, dir); !cmp.Equal(names, []string{"config.yaml"}) {
		t.Errorf("directory holds %v", names)
	}
}
