//go:build !race

package hooks

// counter is a count that the hot path of a compiled-in handler adds to.
// An atomic add costs more than the handler call it counts (a locked
// instruction, 10-15 ns on a loaded core), so the count is a plain word:
// Go's memory model guarantees that a racy read of it sees a value that
// was written, never a torn one; two goroutines calling the same handler at
// the same instant may lose one increment, so the count may fall short
// under contention. Under the race detector it is atomic (counter_race.go),
// which keeps the race detector quiet and the count exact.
type counter struct{ n uint64 }

func (c *counter) inc()         { c.n++ }
func (c *counter) load() uint64 { return c.n }
