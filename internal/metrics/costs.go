package metrics

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Costs is what each plugin has cost so far, summed over its hooks: the
// answer of GET /metrics/plugins, which `tentacle plugins top` reads twice
// to show rates.
type Costs struct {
	Time time.Time `json:"time"`
	// LatencyBounds are the upper bounds, in seconds, of the buckets of
	// PluginCost.Latency; the last bucket has none.
	LatencyBounds []float64    `json:"latency_bounds"`
	Plugins       []PluginCost `json:"plugins"`
}

// PluginCost is one plugin's counts (see the metrics of the same names).
type PluginCost struct {
	Plugin   string `json:"plugin"`
	Tier     string `json:"tier"`
	Calls    uint64 `json:"calls"`
	Skipped  uint64 `json:"skipped"`
	Errors   uint64 `json:"errors"`
	Panics   uint64 `json:"panics"`
	Overruns uint64 `json:"overruns"`
	// TimedCalls are the calls whose time is known (not compiled-in
	// plugins'), LatencySeconds their total time and Latency their count per
	// bucket of LatencyBounds.
	TimedCalls     uint64   `json:"timed_calls"`
	LatencySeconds float64  `json:"latency_seconds"`
	Latency        []uint64 `json:"latency,omitempty"`
	Restarts       int      `json:"restarts"`
	// PID, RSS (bytes) and CPUSeconds describe the plugin's process, on
	// Linux; 0 for plugins without one.
	PID        int     `json:"pid,omitempty"`
	RSS        int64   `json:"rss_bytes,omitempty"`
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
}

// Costs returns every plugin's costs, sorted by plugin.
func (m *Metrics) Costs() Costs {
	byID := map[string]*PluginCost{}
	get := func(id string) *PluginCost {
		if p := byID[id]; p != nil {
			return p
		}
		p := &PluginCost{Plugin: id}
		byID[id] = p
		return p
	}
	if m.src.Plugins != nil {
		for _, pl := range m.src.Plugins() {
			p := get(pl.ID)
			p.Tier, p.Restarts, p.PID = pl.Tier, pl.Restarts, pl.PID
			if pl.PID > 0 {
				if u, ok := readUsage(pl.PID); ok {
					p.RSS, p.CPUSeconds = u.rss, u.cpu
				}
			}
		}
	}
	if m.src.Hooks != nil {
		for _, s := range m.src.Hooks() {
			p := get(s.Plugin)
			p.Calls += s.Calls
			p.Skipped += s.Skipped
			p.Errors += s.Errors
			p.Panics += s.Panics
			p.Overruns += s.Overruns
			if !s.Timed {
				continue
			}
			if p.Latency == nil {
				p.Latency = make([]uint64, len(s.Latency))
			}
			for i, n := range s.Latency {
				p.Latency[i] += n
				p.TimedCalls += n
			}
			p.LatencySeconds += s.Sum.Seconds()
		}
	}
	c := Costs{Time: time.Now(), LatencyBounds: latencyBounds}
	for _, p := range byID {
		c.Plugins = append(c.Plugins, *p)
	}
	slices.SortFunc(c.Plugins, func(a, b PluginCost) int { return strings.Compare(a.Plugin, b.Plugin) })
	return c
}

// CostsHandler serves [Metrics.Costs] as JSON.
func (m *Metrics) CostsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m.Costs())
	})
}
