package cli

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/metrics"
)

// TestWriteTop checks the figures of a frame: rates over the interval,
// the mean and 99th percentile of the calls in it, memory and CPU, the
// busiest plugin first.
func TestWriteTop(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bounds := []float64{1e-6, 1e-5, 1e-4}
	prev := metrics.Costs{Time: t0, LatencyBounds: bounds, Plugins: []metrics.PluginCost{
		{Plugin: "quiet", Tier: "builtin", Calls: 10},
		{Plugin: "proc", Tier: "process", Calls: 100, TimedCalls: 100, LatencySeconds: 0.001, Latency: []uint64{0, 100, 0, 0}, PID: 7, RSS: 1 << 20, CPUSeconds: 1},
	}}
	cur := metrics.Costs{Time: t0.Add(2 * time.Second), LatencyBounds: bounds, Plugins: []metrics.PluginCost{
		{Plugin: "quiet", Tier: "builtin", Calls: 12, Skipped: 4},
		// 200 calls more, 2 ms in all: a mean of 10 µs; 197 within 10 µs,
		// 3 within 100 µs: the 99th percentile is within 100 µs.
		{Plugin: "proc", Tier: "process", Calls: 300, Errors: 1, Panics: 2, Overruns: 3, TimedCalls: 300, LatencySeconds: 0.003,
			Latency: []uint64{0, 297, 3, 0}, PID: 7, RSS: 3 << 20, CPUSeconds: 1.5},
	}}
	var b bytes.Buffer
	writeTop(&b, "http://x", time.Second, prev, cur)
	out := b.String()
	for _, re := range []string{
		`over 2\.0s`,
		`(?m)^\s*proc\s+process\s+100\.0\s+0\.0\s+1\s+2\s+3\s+10\.0µs\s+≤100\.0µs\s+3\.0M\s+25\.0%\s*\n\s*quiet\s+builtin\s+1\.0\s+2\.0\s+0\s+0\s+0\s+-\s+-\s+-\s+-\s*$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("frame does not match %s:\n%s", re, out)
		}
	}
}
