//go:build race

package hooks

import "sync/atomic"

// counter is exact under the race detector; see counter.go.
type counter struct{ n atomic.Uint64 }

func (c *counter) inc()         { c.n.Add(1) }
func (c *counter) load() uint64 { return c.n.Load() }
