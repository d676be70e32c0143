package serve_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/settings"
)

// The process tier's keys of config.yaml: what they set, and a warning
// naming the key for each value of the wrong kind.
func TestProcessOptions(t *testing.T) {
	tests := []struct {
		name, yaml   string
		path         bool
		timeout      time.Duration
		timeouts     map[string]time.Duration
		hungAfter    int
		warningParts []string
	}{
		{name: "none", yaml: "{}\n"},
		{
			name:      "all set",
			yaml:      "plugins:\n  _pathDiscovery: true\n  _hookTimeout: 50\n  _hungAfter: 5\n  _hookTimeouts:\n    tentacle.comm.protocol.gcode.sending: 2.5\n    tentacle.plugin.x.y: 1000\n",
			path:      true,
			hungAfter: 5,
			timeout:   50 * time.Millisecond,
			timeouts:  map[string]time.Duration{"tentacle.comm.protocol.gcode.sending": 2500 * time.Microsecond, "tentacle.plugin.x.y": time.Second},
		},
		{
			name:         "wrong kinds",
			yaml:         "plugins:\n  _pathDiscovery: \"yes\"\n  _hookTimeout: -3\n  _hookTimeouts:\n    a.b: fast\n    c.d: 0\n    e.f: 7\n",
			timeouts:     map[string]time.Duration{"e.f": 7 * time.Millisecond},
			warningParts: []string{"plugins._pathDiscovery is yes", "plugins._hookTimeout is -3", "plugins._hookTimeouts: a.b is fast", "plugins._hookTimeouts: c.d is 0"},
		},
		{name: "never hung", yaml: "plugins:\n  _hungAfter: -1\n", hungAfter: -1},
		{
			name:         "hung after: wrong kinds",
			yaml:         "plugins:\n  _hungAfter: 2.5\n",
			warningParts: []string{"plugins._hungAfter is 2.5, not a whole number"},
		},
		{
			name:         "hung after zero",
			yaml:         "plugins:\n  _hungAfter: 0\n",
			warningParts: []string{"plugins._hungAfter is 0"},
		},
		{
			name:         "timeouts not a map",
			yaml:         "plugins:\n  _hookTimeouts: 100\n",
			warningParts: []string{"plugins._hookTimeouts is 100, not a map"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := settings.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			opts, warnings := serve.ProcessOptions(st)
			if opts.HungAfter != tt.hungAfter {
				t.Errorf("HungAfter %d, want %d", opts.HungAfter, tt.hungAfter)
			}
			if opts.PathDiscovery != tt.path || opts.HookTimeout != tt.timeout {
				t.Errorf("PathDiscovery %v HookTimeout %v, want %v %v", opts.PathDiscovery, opts.HookTimeout, tt.path, tt.timeout)
			}
			if len(opts.HookTimeouts) > 0 || len(tt.timeouts) > 0 {
				if diff := cmp.Diff(tt.timeouts, opts.HookTimeouts); diff != "" {
					t.Errorf("HookTimeouts (-want +got):\n%s", diff)
				}
			}
			if len(warnings) != len(tt.warningParts) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.warningParts))
			}
			for i, part := range tt.warningParts {
				if !strings.Contains(warnings[i], part) {
					t.Errorf("warning %q, want it to contain %q", warnings[i], part)
				}
			}
		})
	}
	if opts, warnings := serve.ProcessOptions(nil); opts.PathDiscovery || len(warnings) > 0 {
		t.Errorf("nil store: %+v %q", opts, warnings)
	}
}
