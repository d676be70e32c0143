// Package metrics is the server's Prometheus view of what each plugin
// costs: the counts the hook registry keeps with every handler
// ([hooks.Stats]), the load and enable times the plugin manager reports
// ([manager.Options.Timed]), restarts of process plugins and the memory
// and CPU time of each plugin process, read from /proc on Linux.
//
// The counting itself lives in the core (package hooks, the manager), which
// never imports Prometheus; this package turns the counts into metrics
// when /metrics is scraped, so a host that embeds Tentacle without the
// server pays only for the counting.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
)

// Plugin is what the metrics need to know of one plugin.
type Plugin struct {
	ID, Tier string
	// PID is the plugin's running process (the process tier), or 0.
	PID int
	// Restarts counts restarts of its process after crashes.
	Restarts int
}

// Sources are where the metrics come from; both are called on each scrape.
type Sources struct {
	// Hooks lists the counts of every handler (hooks.Registry.Stats).
	Hooks func() []hooks.HandlerStats
	// Plugins lists the plugins.
	Plugins func() []Plugin
}

// Metrics is the registry behind GET /metrics.
type Metrics struct {
	src          Sources
	reg          *prometheus.Registry
	load, enable *prometheus.HistogramVec
}

// lifecycleBuckets are the buckets of load and enable times, 100 µs to 10 s.
var lifecycleBuckets = prometheus.ExponentialBucketsRange(100e-6, 10, 11)

// New returns the metrics of src, with the Go runtime's and the server
// process's own.
func New(src Sources) *Metrics {
	m := &Metrics{
		src: src,
		reg: prometheus.NewRegistry(),
		load: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tentacle_plugin_load_duration_seconds",
			Help:    "Time a plugin took to load (its code imported, checked and loaded), by tier.",
			Buckets: lifecycleBuckets,
		}, []string{"tier"}),
		enable: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tentacle_plugin_enable_duration_seconds",
			Help:    "Time a plugin took to enable, by tier.",
			Buckets: lifecycleBuckets,
		}, []string{"tier"}),
	}
	m.reg.MustRegister(m.load, m.enable, &collector{src: src},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Timed records a load or enable time; it is the manager's Options.Timed.
func (m *Metrics) Timed(t manager.Timing) {
	switch t.Phase {
	case manager.PhaseLoad:
		m.load.WithLabelValues(t.Tier).Observe(t.Duration.Seconds())
	case manager.PhaseEnable:
		m.enable.WithLabelValues(t.Tier).Observe(t.Duration.Seconds())
	}
}

// Handler serves the metrics in Prometheus's text format (or OpenMetrics,
// when asked for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// seconds converts d to seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }
