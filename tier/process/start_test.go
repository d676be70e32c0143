package process_test

import (
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestStartFailures: a plugin whose process does not get through its start
// is listed with an import error that says what went wrong, and leaves no
// process behind; the other plugins start.
func TestStartFailures(t *testing.T) {
	cases := []struct {
		name   string
		plugin string
		opts   process.Options
		want   []string // in the listed error
	}{
		{
			name:   "stdout before the handshake (earlier protocol)",
			plugin: legacy("chatty"),
			want:   []string{`it wrote "chatty starting up" to stdout before the handshake`, "log to stderr"},
		},
		{
			name:   "exit at start",
			plugin: "exitstart",
			want:   []string{"it exited (exit status 4) before the handshake", "its last output: exitstart: cannot start without its configuration"},
		},
		{
			name:   "hang at start",
			plugin: "hangstart",
			opts:   process.Options{StartTimeout: time.Second},
			want:   []string{"did not start within 1s"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, hostConfig{plugins: map[string]string{"bad": tc.plugin, "hello": "hello"}, proc: tc.opts})
			in := h.info("bad")
			if in.Enabled || in.Loaded || in.Error == nil || in.Error.Phase != manager.PhaseImport {
				t.Fatalf("enabled %v, loaded %v, error %+v; want an import error", in.Enabled, in.Loaded, in.Error)
			}
			for _, w := range tc.want {
				if !strings.Contains(in.Error.Message, w) {
					t.Errorf("error %q; want it to say %q", in.Error.Message, w)
				}
			}
			if err := h.m.Err("bad"); !errors.Is(err, process.ErrStart) {
				t.Errorf("Err = %v; want process.ErrStart", err)
			}
			if in.Process != nil && in.Process.PID != 0 {
				t.Errorf("process %+v", in.Process)
			}
			if pids := running(t, filepath.Join(h.pkgs, "bad")); len(pids) > 0 {
				t.Errorf("processes left behind: %v", pids)
			}
			if in := h.info("hello"); !in.Enabled {
				t.Errorf("hello beside it: %+v", in)
			}
		})
	}
}

// TestStdoutBeforeServe: a plugin of the lean protocol may print to
// standard output before sdk.Serve (only go-plugin's protocol reads its
// handshake there): it starts, and the line is logged as its output.
func TestStdoutBeforeServe(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"chatty": "chatty"}})
	if in := h.info("chatty"); !in.Enabled || in.Error != nil {
		t.Fatalf("chatty: enabled %v, error %+v; want it running", in.Enabled, in.Error)
	}
	if r, ok := h.logs.find("chatty starting up"); !ok || r.Attrs["stream"] != "output" {
		t.Errorf("the line printed: %+v, %v; want it logged as output", r, ok)
	}
}

// TestPluginWithoutHost: a plugin executable that no host started (run by
// hand), or that a host too old for the lean protocol started (its cookie
// in the environment, no socket named), says so and exits with status 1
// instead of waiting.
func TestPluginWithoutHost(t *testing.T) {
	exe := bin(t, "hello")
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"run by hand", nil, "it does nothing on its own"},
		{"an older host", []string{lean.CookieEnv + "=" + lean.CookieValue}, "the tentacle host that started it is too old to run it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(exe)
			cmd.Env = tc.env
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), tc.want) {
				t.Errorf("%v, %q; want exit status 1 and %q", err, out, tc.want)
			}
		})
	}
}

// TestDescribeFailure: a plugin that cannot describe itself (its filter
// does not encode) is listed with an import error that says why, and
// leaves no process behind.
func TestDescribeFailure(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"bad": "baddescribe"}})
	in := h.info("bad")
	if in.Enabled || in.Error == nil || in.Error.Phase != manager.PhaseImport {
		t.Fatalf("enabled %v, error %+v; want an import error", in.Enabled, in.Error)
	}
	for _, w := range []string{"describe: ", `hook "test.line": filter`} {
		if !strings.Contains(in.Error.Message, w) {
			t.Errorf("error %q; want it to say %q", in.Error.Message, w)
		}
	}
	if pids := running(t, filepath.Join(h.pkgs, "bad")); len(pids) > 0 {
		t.Errorf("processes left behind: %v", pids)
	}
}

// TestConnectionsAtStart: by the end of a plugin's start in the lean
// protocol, before any of its code ran, it has connected to the host's
// socket for its calls into the host (its first, from Initialize typically,
// finds the connection made), and the host to its socket for the first call
// into it.
func TestConnectionsAtStart(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"hello": "hello"}, noStart: true})
	cands, err := process.New(h.pkgs, process.Options{}).Scan(context.Background())
	if err != nil || len(cands) != 1 {
		t.Fatalf("scan: %d candidates, %v", len(cands), err)
	}
	inst, err := cands[0].Load(context.Background(), tier.Env{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	st := inst.(tier.ProcessReporter).ProcessStatus()
	idle := process.IdleDirect(inst)
	if err := inst.Close(); err != nil {
		t.Error(err)
	}
	waitGone(t, st.PID)
	if st.Details["direct_host"] != true {
		t.Errorf("after the start: %+v; want direct_host true", st.Details)
	}
	if idle != 1 {
		t.Errorf("%d idle connections into the plugin after the start; want 1, made for the first call", idle)
	}
}
