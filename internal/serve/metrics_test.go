package serve_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve/testdata/plugins/gcodebench"
	"github.com/tentacle-go/tentacle/plugins/virtualprinter"
	"github.com/tentacle-go/tentacle/server"
)

// TestMetricsAccess checks who may read /metrics and /debug/pprof/: the
// API key, not a missing or wrong one; with metrics.allowAnonymous anyone
// may read /metrics, and still not the profiles.
func TestMetricsAccess(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowAnonymous=%v", anonymous), func(t *testing.T) {
			su := setup{}
			if anonymous {
				su.config = "metrics:\n  allowAnonymous: true\n"
			}
			h := start(t, su)
			for _, c := range []struct {
				path, key string
				want      int
			}{
				{"/metrics", h.key, http.StatusOK},
				{"/metrics", "", map[bool]int{false: http.StatusUnauthorized, true: http.StatusOK}[anonymous]},
				{"/metrics", "wrong", http.StatusForbidden}, // a wrong key is refused before routing
				{"/metrics/plugins", h.key, http.StatusOK},
				{"/metrics/plugins", "", http.StatusUnauthorized}, // allowAnonymous opens /metrics alone
				{"/debug/pprof/", h.key, http.StatusOK},
				{"/debug/pprof/heap?debug=1", h.key, http.StatusOK},
				{"/debug/pprof/", "", http.StatusUnauthorized},
				{"/debug/pprof/heap", "", http.StatusUnauthorized},
				{"/debug/pprof/cmdline", "wrong", http.StatusForbidden},
			} {
				if r := h.do(http.MethodGet, c.path, c.key, nil); r.status != c.want {
					t.Errorf("GET %s with key %q: %d, want %d: %.200s", c.path, c.key, r.status, c.want, r.body)
				}
			}
		})
	}
}

// panicking is a compiled-in plugin whose sending handler panics on M117.
var panicking = &tentacle.Definition{Name: "panicking", Version: "1.0.0", Hooks: tentacle.Hooks{
	server.HookGcodeSending: tentacle.Hook(func(phase string, cmd server.Command) []server.Command {
		if cmd.Gcode == "M117" {
			panic("M117")
		}
		return nil
	}, tentacle.DefaultOrder),
}}

// TestMetricsTiers sends commands through plugins of each tier and reads
// their counts in /metrics: calls in every tier, a builtin's panics, the
// latency of the source and process tiers, the process's memory and CPU
// time, the load and enable times.
func TestMetricsTiers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a process plugin")
	}
	su := setup{dir: t.TempDir(), folder: true, packages: true,
		plugins: map[string]*tentacle.Definition{"benchabuiltin": gcodebench.New("benchabuiltin"), "panicking": panicking},
		bundled: map[string]*tentacle.Definition{virtualprinter.ID: &virtualprinter.Plugin},
		config:  "plugins:\n  _autoEnable: true\n"}
	if err := os.MkdirAll(filepath.Join(su.dir, "plugins", "benchasource"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(su.dir, "plugins", "benchasource", "bench.go"), fmt.Sprintf(benchSource, "tentacle.Hook(sending, tentacle.DefaultOrder)"))
	installPackage(t, su.dir, "benchaprocess", "benchaprocess", benchProcessExe(t), "1.0.0")
	h := start(t, su)
	if r := h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": virtualprinter.Port}); r.status != http.StatusNoContent {
		t.Fatalf("connect: %d %s", r.status, r.body)
	}
	eventually(t, "the printer is operational", func() bool {
		var v struct{ State string }
		h.getJSON("/api/job", &v)
		return v.State == "Operational"
	})
	if r := h.do(http.MethodPost, "/api/printer/command", h.key, map[string]any{"commands": []string{"G1 X1", "M117 hello", "G1 X2"}}); r.status != http.StatusNoContent {
		t.Fatalf("commands: %d %s", r.status, r.body)
	}
	const hook = server.HookGcodeSending
	series := func(body, name, plugin, tier string) (float64, bool) {
		re := regexp.MustCompile(`(?m)^` + name + `\{([^}]*)\} (\S+)$`)
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			if strings.Contains(m[1], `plugin="`+plugin+`"`) && strings.Contains(m[1], `tier="`+tier+`"`) &&
				(!strings.HasPrefix(name, "tentacle_hook") || strings.Contains(m[1], `hook="`+hook+`"`)) {
				v, err := strconv.ParseFloat(m[2], 64)
				return v, err == nil
			}
		}
		return 0, false
	}
	var body string
	eventually(t, "the commands are counted in every tier", func() bool {
		r := h.do(http.MethodGet, "/metrics", h.key, nil)
		body = string(r.body)
		for _, p := range [][2]string{{"benchabuiltin", "builtin"}, {"benchasource", "source"}, {"benchaprocess", "process"}, {"panicking", "builtin"}} {
			if v, _ := series(body, "tentacle_hook_calls_total", p[0], p[1]); v < 3 {
				return false
			}
		}
		v, _ := series(body, "tentacle_hook_panics_total", "panicking", "builtin")
		return v >= 1
	})
	checks := []struct {
		name, plugin, tier string
		min                float64
	}{
		{"tentacle_hook_duration_seconds_count", "benchasource", "source", 3},
		{"tentacle_hook_duration_seconds_count", "benchaprocess", "process", 3},
		{"tentacle_hook_errors_total", "benchaprocess", "process", 0},
		{"tentacle_hook_overruns_total", "benchaprocess", "process", 0},
		{"tentacle_hook_skipped_total", "benchabuiltin", "builtin", 0},
		{"tentacle_plugin_restarts_total", "benchaprocess", "process", 0},
	}
	if runtime.GOOS == "linux" {
		checks = append(checks,
			struct {
				name, plugin, tier string
				min                float64
			}{"tentacle_plugin_process_resident_memory_bytes", "benchaprocess", "process", 1 << 20},
			struct {
				name, plugin, tier string
				min                float64
			}{"tentacle_plugin_process_cpu_seconds_total", "benchaprocess", "process", 0})
	}
	for _, c := range checks {
		if v, ok := series(body, c.name, c.plugin, c.tier); !ok || v < c.min {
			t.Errorf("%s{plugin=%q,tier=%q} = %v (found: %v), want at least %v", c.name, c.plugin, c.tier, v, ok, c.min)
		}
	}
	if v, ok := series(body, "tentacle_hook_panics_total", "benchabuiltin", "builtin"); !ok || v != 0 {
		t.Errorf("benchabuiltin panics = %v (found %v), want 0", v, ok)
	}
	for _, name := range []string{"tentacle_plugin_load_duration_seconds_count", "tentacle_plugin_enable_duration_seconds_count"} {
		for _, tier := range []string{"builtin", "source", "process"} {
			if !regexp.MustCompile(`(?m)^` + name + `\{tier="` + tier + `"\} [1-9]`).MatchString(body) {
				t.Errorf("no %s for tier %s", name, tier)
			}
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
}
