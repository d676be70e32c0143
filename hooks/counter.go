//go:build !race

package hooks

// counter is a count that the hot path of a compiled-in handler adds to.
// An atomic add costs more than the handler call it counts (a locked
// instruction, 10-15 ns on a loaded core), so the count is a plain machine
// word: Go's memory model guarantees that a racy read of a word sees a
// value that was written, never a torn one (a uint64 could tear on 32-bit
// systems, so the word is a uint, which wraps at 2^32 there: a reset, to
// Prometheus). Goroutines calling the same handler at the same time may
// lose increments, so under contention the count may fall short. Under the
// race detector it is atomic (counter_race.go), which keeps the race
// detector quiet and the count exact.
type counter struct{ n uint }

func (c *counter) inc()         { c.n++ }
func (c *counter) load() uint64 { return uint64(c.n) }
