//go:build race

package transport

import "sync/atomic"

// A call through a shared channel can be caused by another call through
// another channel, by way of the other process: the host answers a
// plugin's Host call, the plugin then answers the host's call that made
// it. The race detector cannot see that chain (it sees neither process's
// memory of the other), and so reports the host's reads after the outer
// call of what it wrote during the inner one. In race builds every post
// releases and every finished wait acquires one process-wide variable,
// which tells the detector what the other process enforces.
var causal atomic.Uint64

func released() { causal.Add(1) }
func acquired() { causal.Load() }
