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
// `tentacle plugins top` reads) and /debug/pprof/ to mux. All need the API
// key or an admin's session; /metrics alone is open to anyone when the
// operator set metrics.allowAnonymous (read on each request).
func (s *Server) metricsRoutes(mux *http.ServeMux) {
	admin := func(what string, anonymous func() bool, next http.Handler) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if (anonymous != nil && anonymous()) || s.admitAdmin(w, r, what+": it needs an admin user or the API key") {
				next.ServeHTTP(w, r)
			}
		}
	}
	allowAnonymous := func() bool { return s.store.GetBool(metricsAnonymousPath) }
	mux.HandleFunc("GET /metrics", admin("may not read the metrics", allowAnonymous, s.metrics.Handler()))
	mux.HandleFunc("GET /metrics/plugins", admin("may not read the plugins' costs", nil, s.metrics.CostsHandler()))
	profile := func(h http.HandlerFunc) http.HandlerFunc { return admin("may not profile the server", nil, h) }
	mux.HandleFunc("GET /debug/pprof/", profile(pprof.Index))
	mux.HandleFunc("GET /debug/pprof/cmdline", profile(pprof.Cmdline))
	mux.HandleFunc("GET /debug/pprof/profile", profile(pprof.Profile))
	mux.HandleFunc("GET /debug/pprof/symbol", profile(pprof.Symbol))
	mux.HandleFunc("POST /debug/pprof/symbol", profile(pprof.Symbol))
	mux.HandleFunc("GET /debug/pprof/trace", profile(pprof.Trace))
}
