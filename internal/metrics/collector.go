package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tentacle-go/tentacle/hooks"
)

var hookLabels = []string{"plugin", "hook", "tier"}

var (
	descCalls = prometheus.NewDesc("tentacle_hook_calls_total",
		"Calls of a plugin's handler of a hook (failed ones included).", hookLabels, nil)
	descSkipped = prometheus.NewDesc("tentacle_hook_skipped_total",
		"Calls of a hook that the handler's filter left out.", hookLabels, nil)
	descErrors = prometheus.NewDesc("tentacle_hook_errors_total",
		"Calls of a handler that failed because the call into its process failed.", hookLabels, nil)
	descPanics = prometheus.NewDesc("tentacle_hook_panics_total",
		"Calls of a handler that panicked.", hookLabels, nil)
	descOverruns = prometheus.NewDesc("tentacle_hook_overruns_total",
		"Calls of a process plugin's handler that overran their deadline.", hookLabels, nil)
	descLatency = prometheus.NewDesc("tentacle_hook_duration_seconds",
		"Time a call of a handler took (plugins folder and process plugins only).", hookLabels, nil)
	descRestarts = prometheus.NewDesc("tentacle_plugin_restarts_total",
		"Restarts of a process plugin after its process crashed.", []string{"plugin", "tier"}, nil)
	descRSS = prometheus.NewDesc("tentacle_plugin_process_resident_memory_bytes",
		"Resident memory of a plugin's process (Linux only).", []string{"plugin", "tier"}, nil)
	descCPU = prometheus.NewDesc("tentacle_plugin_process_cpu_seconds_total",
		"User and system CPU time of a plugin's process (Linux only).", []string{"plugin", "tier"}, nil)
)

// latencyBounds are hooks.LatencyBounds in seconds.
var latencyBounds = func() []float64 {
	b := make([]float64, len(hooks.LatencyBounds))
	for i, d := range hooks.LatencyBounds {
		b[i] = seconds(d)
	}
	return b
}()

// collector turns the counts of the sources into metrics on each scrape.
type collector struct{ src Sources }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCalls, descSkipped, descErrors, descPanics, descOverruns, descLatency, descRestarts, descRSS, descCPU} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	tiers := map[string]string{}
	if c.src.Plugins != nil {
		for _, p := range c.src.Plugins() {
			tiers[p.ID] = p.Tier
			if p.Tier == "process" || p.Restarts > 0 || p.PID > 0 {
				ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(p.Restarts), p.ID, p.Tier)
			}
			if p.PID > 0 {
				if u, ok := readUsage(p.PID); ok {
					ch <- prometheus.MustNewConstMetric(descRSS, prometheus.GaugeValue, float64(u.rss), p.ID, p.Tier)
					ch <- prometheus.MustNewConstMetric(descCPU, prometheus.CounterValue, u.cpu, p.ID, p.Tier)
				}
			}
		}
	}
	if c.src.Hooks == nil {
		return
	}
	for _, s := range c.src.Hooks() {
		l := []string{s.Plugin, s.Hook, tiers[s.Plugin]}
		counter := func(d *prometheus.Desc, v uint64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l...)
		}
		counter(descCalls, s.Calls)
		counter(descSkipped, s.Skipped)
		counter(descErrors, s.Errors)
		counter(descPanics, s.Panics)
		counter(descOverruns, s.Overruns)
		if !s.Timed {
			continue
		}
		buckets := make(map[float64]uint64, len(latencyBounds))
		var n uint64
		for i, b := range latencyBounds {
			n += s.Latency[i]
			buckets[b] = n
		}
		n += s.Latency[len(latencyBounds)]
		ch <- prometheus.MustNewConstHistogram(descLatency, n, s.Sum.Seconds(), buckets, l...)
	}
}
