package process_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier/process"
)

// callHook calls hook's handlers with arg and returns what each returned,
// as "<plugin> <result>"; a handler that fails is skipped.
func callHook(hook *hooks.Hook[textHook], arg string) []string {
	var out []string
	hook.Call(func(hd hooks.Handler[textHook]) { out = append(out, hd.Plugin+" "+hd.Fn(arg)) })
	return out
}

// TestHookOverrun: a hook handler that overruns its deadline is skipped
// (fail-open): the host's call goes on with the other handlers, the
// overrun is counted, and the plugin keeps running and answering; over
// direct calls and over gRPC alike.
func TestHookOverrun(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "direct", false: "grpc"}[direct], func(t *testing.T) {
			testHookOverrun(t, direct)
		})
	}
}

func testHookOverrun(t *testing.T, direct bool) {
	var calls []string
	h := newHost(t, hostConfig{
		plugins: map[string]string{"tool": overGRPC(t, direct, "tool")},
		builtin: after(&calls),
		proc:    process.Options{HookTimeout: time.Minute, HookTimeouts: map[string]time.Duration{hookSlow: 50 * time.Millisecond}},
	})
	pid := h.pid("tool")
	if got := h.info("tool").Process.Details["direct_calls"] == true; got != direct {
		t.Fatalf("direct calls %v, want %v", got, direct)
	}
	if out := callHook(h.slow, "1h"); strings.Join(out, ",") != "after 1h" {
		t.Errorf("hook results %q; want only after's", out)
	}
	if strings.Join(calls, ",") != "after 1h" {
		t.Errorf("after's handler calls %q", calls)
	}
	in := h.info("tool")
	if in.Process.Overruns != 1 || in.Faults != 1 || !strings.Contains(in.LastFault, "overran its deadline of 50ms") {
		t.Errorf("overruns %d, faults %d, last fault %q; want the overrun counted", in.Process.Overruns, in.Faults, in.LastFault)
	}
	// The plugin still runs, in the same process, and answers.
	if !in.Enabled || in.Process.PID != pid || in.Process.Crashed {
		t.Errorf("after an overrun: enabled %v, process %+v; want still running as %d", in.Enabled, in.Process, pid)
	}
	if out := callHook(h.slow, "0s"); strings.Join(out, ",") != "tool slept 0s,after 0s" {
		t.Errorf("the next call: %q", out)
	}
	if in := h.info("tool"); in.Process.Overruns != 1 {
		t.Errorf("overruns %d after a call in time", in.Process.Overruns)
	}
	// The hook's counts: two calls, one an overrun, both timed.
	for _, st := range h.m.Hooks().Stats() {
		if st.Plugin != "tool" || st.Hook != hookSlow {
			continue
		}
		var timed uint64
		for _, n := range st.Latency {
			timed += n
		}
		if st.Calls != 2 || st.Overruns != 1 || st.Errors != 0 || st.Panics != 0 || !st.Timed || timed != 2 {
			t.Errorf("stats of tool's %s: %+v; want 2 timed calls, 1 overrun", hookSlow, st)
		}
		return
	}
	t.Errorf("no stats of tool's %s", hookSlow)
}

// TestHelperOverrun: a helper that overruns its deadline is a fault of
// its plugin, counted as an overrun: its caller gets the zero value, or,
// as the final result of a function type that has one, an error saying
// so, never a panic; the plugin keeps running.
func TestHelperOverrun(t *testing.T) {
	h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, proc: process.Options{CallTimeout: 2 * time.Second}})
	pid := h.pid("tool")
	pm := h.m.PluginManager()
	var nap func(string) string
	if err := pm.Helper("tool", "nap", &nap); err != nil {
		t.Fatal(err)
	}
	got := "unset"
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("a helper that overran panicked in its caller: %v", r)
			}
		}()
		got = nap("1h")
	}()
	if got != "" {
		t.Errorf("a helper that overran returned %q, want the zero value", got)
	}
	var napErr func(string) (string, error)
	if err := pm.Helper("tool", "nap", &napErr); err != nil {
		t.Fatal(err)
	}
	res, err := napErr("1h")
	var le *manager.LifecycleError
	if res != "" || !errors.Is(err, process.ErrOverrun) || !errors.As(err, &le) || le.Plugin != "tool" {
		t.Errorf("nap(1h) = %q, %v; want a *manager.LifecycleError of tool's wrapping process.ErrOverrun", res, err)
	}
	in := h.info("tool")
	if in.Process.Overruns != 2 || in.Faults != 2 || !strings.Contains(in.LastFault, "call helper nap: ") ||
		!strings.Contains(in.LastFault, "overran its deadline of 2s") || strings.Contains(in.LastFault, "panic") {
		t.Errorf("overruns %d, faults %d, last fault %q; want both overruns counted as faults of the helper", in.Process.Overruns, in.Faults, in.LastFault)
	}
	if !in.Enabled || in.Process.PID != pid {
		t.Errorf("after the overruns: enabled %v, process %+v; want still running as %d", in.Enabled, in.Process, pid)
	}
}

// TestHookTimeouts: each hook's deadline is the one HookTimeouts (the
// operator) gives it, or the budget the host declared for it, or
// HookTimeout.
func TestHookTimeouts(t *testing.T) {
	const short, long = 50 * time.Millisecond, time.Minute
	cases := []struct {
		name     string
		opts     process.Options
		budgets  map[string]time.Duration
		overruns map[string]bool // hook -> whether a 300 ms handler overruns
	}{
		{
			name:     "per hook shorter than the default",
			opts:     process.Options{HookTimeout: long, HookTimeouts: map[string]time.Duration{hookSlow: short}},
			overruns: map[string]bool{hookSlow: true, hookPatient: false},
		},
		{
			name:     "per hook longer than the default",
			opts:     process.Options{HookTimeout: short, HookTimeouts: map[string]time.Duration{hookPatient: long}},
			overruns: map[string]bool{hookSlow: true, hookPatient: false},
		},
		{
			name:     "zero per hook is the default",
			opts:     process.Options{HookTimeout: long, HookTimeouts: map[string]time.Duration{hookSlow: 0}},
			overruns: map[string]bool{hookSlow: false, hookPatient: false},
		},
		{
			name:     "host budget shorter than the default",
			opts:     process.Options{HookTimeout: long},
			budgets:  map[string]time.Duration{hookSlow: short},
			overruns: map[string]bool{hookSlow: true, hookPatient: false},
		},
		{
			name:     "host budget longer than the default",
			opts:     process.Options{HookTimeout: short},
			budgets:  map[string]time.Duration{hookPatient: long},
			overruns: map[string]bool{hookSlow: true, hookPatient: false},
		},
		{
			name:     "operator's per hook deadline over the host's budget",
			opts:     process.Options{HookTimeout: short, HookTimeouts: map[string]time.Duration{hookSlow: long, hookPatient: short}},
			budgets:  map[string]time.Duration{hookSlow: short, hookPatient: long},
			overruns: map[string]bool{hookSlow: false, hookPatient: true},
		},
		{
			name:     "another hook's deadline does not apply",
			opts:     process.Options{HookTimeout: long, HookTimeouts: map[string]time.Duration{"test.other": short}},
			overruns: map[string]bool{hookSlow: false, hookPatient: false},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, hostConfig{plugins: map[string]string{"tool": "tool"}, proc: tc.opts, budgets: tc.budgets})
			h.pid("tool")
			var want int64
			for _, name := range []string{hookSlow, hookPatient} {
				hook := map[string]*hooks.Hook[textHook]{hookSlow: h.slow, hookPatient: h.wait}[name]
				out := callHook(hook, "300ms")
				if tc.overruns[name] {
					want++
					if len(out) != 0 {
						t.Errorf("%s: %q; want the handler skipped", name, out)
					}
				} else if strings.Join(out, ",") != "tool slept 300ms" {
					t.Errorf("%s: %q; want the handler's result", name, out)
				}
				if got := h.info("tool").Process.Overruns; got != want {
					t.Errorf("after %s: %d overruns, want %d", name, got, want)
				}
			}
		})
	}
}

// TestLifecycleHang: a lifecycle call that hangs fails the enable with an
// error saying so; the enable is rolled back and the hung process is
// stopped. The plugin gets a fresh process, and enables once it no longer
// hangs.
func TestLifecycleHang(t *testing.T) {
	const callTimeout = 2 * time.Second
	h := newHost(t, hostConfig{
		plugins:  map[string]string{"tool": "tool"},
		proc:     process.Options{CallTimeout: callTimeout},
		settings: map[string]any{"plugins._disabled": []any{"tool"}, "plugins.tool.hang": "1h"},
	})
	ctx := context.Background()
	_, err := h.m.Enable(ctx, "tool")
	var le *manager.LifecycleError
	if !errors.As(err, &le) || le.Phase != manager.PhaseInitialize || !errors.Is(err, process.ErrOverrun) ||
		!strings.Contains(err.Error(), "Initializer.Initialize overran its deadline of 2s") {
		t.Fatalf("enable: %v; want an initialize error saying Initialize overran its deadline", err)
	}
	rec, ok := h.logs.find("tool initializing")
	if !ok {
		t.Fatal("the plugin did not log its pid")
	}
	pid := int(rec.Attrs["pid"].(float64))

	// Rolled back: disabled, nothing of it registered.
	in := h.info("tool")
	if in.Enabled || in.State != manager.StateDisabled.String() || in.Error == nil || in.Error.Phase != manager.PhaseInitialize {
		t.Errorf("enabled %v, state %s, error %+v", in.Enabled, in.State, in.Error)
	}
	if hs := h.m.PluginManager().Helpers("tool"); hs != nil {
		t.Errorf("helpers of a plugin whose enable failed: %v", hs)
	}
	if out := callHook(h.slow, "0s"); len(out) != 0 {
		t.Errorf("handlers of a plugin whose enable failed ran: %q", out)
	}
	// The hung process is stopped, and a fresh one loaded.
	waitGone(t, pid)
	h.waitFor("a fresh process", func() bool {
		in = h.info("tool")
		return in.Process != nil && in.Process.PID != 0 && in.Process.PID != pid
	})
	if !strings.Contains(in.Process.LastCrash, "overran") || in.Enabled {
		t.Errorf("enabled %v, process %+v; want disabled, the last crash saying why it was stopped", in.Enabled, in.Process)
	}

	if err := h.store.Remove("plugins.tool.hang"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Enable(ctx, "tool"); err != nil {
		t.Fatalf("enable once it no longer hangs: %v", err)
	}
	if out := callHook(h.slow, "0s"); strings.Join(out, ",") != "tool slept 0s" {
		t.Errorf("hook after the enable: %q", out)
	}
}

// TestLifecycleHangAtStart: the same while the host starts: the plugin's
// enable fails and its hung process is killed before the host has started;
// once it has, the plugin gets a fresh process, which an operator can
// enable.
func TestLifecycleHangAtStart(t *testing.T) {
	h := newHost(t, hostConfig{
		plugins:  map[string]string{"tool": "tool", "zzz": "hello"}, // tool is started first
		proc:     process.Options{CallTimeout: 2 * time.Second},
		settings: map[string]any{"plugins.tool.hang": "1h"},
		noStart:  true,
	})
	// The start goes on only once the manager knows of the crash.
	h.m.AddActivator(activator{name: "wait", activate: func(p manager.Plugin) error {
		if p.ID() == "zzz" {
			h.waitFor("the crash recorded", func() bool {
				in, _ := h.m.Info("tool")
				return in.Process != nil && in.Process.LastCrash != ""
			})
		}
		return nil
	}})
	if err := h.m.Start(context.Background()); err == nil {
		t.Fatal("start succeeded")
	}
	if in := h.info("tool"); in.Enabled || in.Error == nil || in.Error.Phase != manager.PhaseInitialize {
		t.Fatalf("enabled %v, error %+v; want an initialize error", in.Enabled, in.Error)
	}
	if in := h.info("zzz"); !in.Enabled {
		t.Errorf("zzz, started beside it: %+v", in)
	}
	rec, ok := h.logs.find("tool initializing")
	if !ok {
		t.Fatal("the plugin did not log its pid")
	}
	pid := int(rec.Attrs["pid"].(float64))
	waitGone(t, pid)
	h.waitFor("a fresh process", func() bool {
		in := h.info("tool")
		return in.Process != nil && in.Process.PID != 0 && in.Process.PID != pid
	})
	if err := h.store.Remove("plugins.tool.hang"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Enable(context.Background(), "tool"); err != nil {
		t.Fatalf("enable once it no longer hangs: %v", err)
	}
	if out := callHook(h.slow, "0s"); strings.Join(out, ",") != "tool slept 0s" {
		t.Errorf("hook after the enable: %q", out)
	}
}

// activator is a manager.Activator made of a function.
type activator struct {
	name     string
	activate func(manager.Plugin) error
}

func (a activator) Name() string                    { return a.name }
func (a activator) Activate(p manager.Plugin) error { return a.activate(p) }
func (a activator) Deactivate(manager.Plugin)       {}

// TestHungPlugin: a plugin whose calls overrun their deadlines several
// times in a row has stopped answering: its process is killed, reported as
// a crash and restarted. Overruns with an answer in time between them are
// only counted.
func TestHungPlugin(t *testing.T) {
	h := newHost(t, hostConfig{
		plugins: map[string]string{"tool": "tool"},
		proc:    process.Options{HookTimeouts: map[string]time.Duration{hookSlow: 50 * time.Millisecond}, HungAfter: 3},
	})
	pid := h.pid("tool")
	for _, arg := range []string{"1h", "1h", "0s", "1h", "1h", "0s"} {
		callHook(h.slow, arg)
	}
	if in := h.info("tool"); in.Process.PID != pid || in.Process.Overruns != 4 || in.Process.Restarts != 0 {
		t.Fatalf("after overruns with answers between them: process %+v; want %d still running, 4 overruns", in.Process, pid)
	}
	for range 3 {
		callHook(h.slow, "1h")
	}
	h.waitFor("the hung plugin restarted", func() bool {
		in := h.info("tool")
		return in.Enabled && in.Process.Restarts == 1 && in.Process.PID != 0 && in.Process.PID != pid
	})
	if in := h.info("tool"); !strings.Contains(in.Process.LastCrash, "stopped answering: 3 calls in a row overran their deadlines") {
		t.Errorf("last crash %q; want it to say the plugin stopped answering", in.Process.LastCrash)
	}
	waitGone(t, pid)
	if out := callHook(h.slow, "0s"); strings.Join(out, ",") != "tool slept 0s" {
		t.Errorf("after the restart: %q", out)
	}
}
