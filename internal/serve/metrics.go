package serve

import (
	"net/http"
	"net/http/pprof"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/metrics"
)

// metricsAnonymousPath is the configuration key that lets anyone read
// GET /metrics, for a scraper without the API key.
const metricsAnonymousPath = "metrics.allowAnonymous"

// setupMetrics makes the metrics of the server's plugins; the manager is
// made after, and read on each scrape.
func (s *Server) setupMetrics() {
	s.metrics = metrics.New(metrics.Sources{
		Hooks: func() []hooks.HandlerStats {
			if s.mgr == nil {
				return nil
			}
			return s.mgr.Hooks().Stats()
		},
		Plugins: s.metricPlugins,
	})
}

// metricPlugins lists the plugins for the metrics.
func (s *Server) metricPlugins() []metrics.Plugin {
	if s.mgr == nil {
		return nil
	}
	infos := s.mgr.List()
	list := make([]metrics.Plugin, 0, len(infos))
	for _, in := range infos {
		p := metrics.Plugin{ID: in.Key, Tier: in.Tier}
		if in.Process != nil {
			p.PID, p.Restarts = in.Process.PID, in.Process.Restarts
		}
		list = append(list, p)
	}
	return list
}

// metricsRoutes adds GET /metrics, GET /metrics/plugins (the JSON that
// `tentacle plugins top` reads) and /debug/pprof/ to mux. Both need
// the API key or an admin's session; /metrics alone is open to anyone when
// the operator set metrics.allowAnonymous.
func (s *Server) metricsRoutes(mux *http.ServeMux) {
	metricsOnly := func(h http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !s.store.GetBool(metricsAnonymousPath) && !s.admitAdmin(w, r, "may not read the metrics: they need an admin user or the API key") {
				return
			}
			h.ServeHTTP(w, r)
		}
	}
	mux.HandleFunc("GET /metrics", metricsOnly(s.metrics.Handler()))
	mux.HandleFunc("GET /metrics/plugins", metricsOnly(s.metrics.CostsHandler()))
	admin := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if s.admitAdmin(w, r, "may not profile the server: it needs an admin user or the API key") {
				next(w, r)
			}
		}
	}
	mux.HandleFunc("GET /debug/pprof/", admin(pprof.Index))
	mux.HandleFunc("GET /debug/pprof/cmdline", admin(pprof.Cmdline))
	mux.HandleFunc("GET /debug/pprof/profile", admin(pprof.Profile))
	mux.HandleFunc("GET /debug/pprof/symbol", admin(pprof.Symbol))
	mux.HandleFunc("POST /debug/pprof/symbol", admin(pprof.Symbol))
	mux.HandleFunc("GET /debug/pprof/trace", admin(pprof.Trace))
}
