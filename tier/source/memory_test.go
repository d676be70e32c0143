package source_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/tentacle-go/tentacle/tier"
)

// Unloading drops the interpreter: loading and unloading a plugin many
// times does not grow the heap.
func TestUnloadReclaimsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 40 interpreters")
	}
	dir := plugins(t, map[string]string{"hello.go": hello})
	c := scan(t, dir)["hello"]
	cycle := func() {
		inst, err := c.Load(context.Background(), tier.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if inst.Definition().Name != "Hello" {
			t.Fatal("wrong plugin")
		}
		inst.Close()
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for i := 0; i < 5; i++ { // warm up: symbol tables, caches
		cycle()
	}
	before := heap()
	const n = 40
	for i := 0; i < n; i++ {
		cycle()
	}
	after := heap()
	// One live interpreter holds about 1.4 MiB; 40 leaked ones would hold
	// over 50 MiB. Allow noise well below one interpreter per ten cycles.
	if after > before && after-before > 4<<20 {
		t.Errorf("heap grew by %d KiB over %d load/unload cycles", (after-before)>>10, n)
	}
}
