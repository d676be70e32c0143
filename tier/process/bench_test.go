package process_test

// Benchmarks of the process tier (see docs/benchmarks.md for the latest
// figures). Every plugin is the test plugin hello (testdata/hello), built
// by the tests and installed into a packages folder as hello0, hello1, ...:
//
//   - BenchmarkStartOne: a host's start of one process plugin (spawn,
//     handshake, describe, load, enable); its stop runs untimed.
//   - BenchmarkHookRoundTrip: one line through the typed hook test.line
//     (func(string) string) handled by 1 or 5 process plugins, serially and
//     from parallel goroutines.
//   - BenchmarkHelperCall: one call of a process plugin's helper from the
//     host, argument and result as JSON.
//   - BenchmarkStartTenParallel: a host's start of 10 process plugins.
//   - BenchmarkHookWithHostCall: one line through a handler that reads a
//     setting, a call back into the host from inside the call.
//
// Only the host's allocations count in B/op and allocs/op: the plugins'
// are in their own processes. To tell where a call's time goes, the hook
// and helper benchmarks also report the CPU time the host's process and the
// plugins' processes use per op (host-cpu-ns/op, plugin-cpu-ns/op).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/proctest"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// benchLine is the G-code line of the hook and helper benchmarks; hello's
// handler and helper upper-case it.
const benchLine = "g1 x10.5 y20.25 e0.1234 f1800"

// benchHost returns a test host (newHost: its cleanup shuts it down and
// checks that no process and no goroutine is left) with n copies of hello
// installed as hello0 to hello<n-1>, started unless noStart, and the
// plugins' process ids when it is started.
func benchHost(b *testing.B, n int, noStart bool) (*testHost, []int) {
	b.Helper()
	return benchHostOf(b, "hello", n, noStart)
}

// benchHostOf is benchHost with n copies of test plugin fixture.
func benchHostOf(b *testing.B, fixture string, n int, noStart bool) (*testHost, []int) {
	b.Helper()
	plugins := make(map[string]string, n)
	for i := range n {
		plugins[fmt.Sprintf("hello%d", i)] = fixture
	}
	h := newHost(b, hostConfig{plugins: plugins, noStart: noStart})
	var pids []int
	if !noStart {
		for i := range n {
			pids = append(pids, h.pid(fmt.Sprintf("hello%d", i))) // enabled, its process running
		}
	}
	return h, pids
}

// cpuMeter measures the CPU time (user and system) that the host's process
// and the plugins' processes use during a benchmark, to tell where a round
// trip's time goes.
type cpuMeter struct {
	pids            []int
	host, plugins   time.Duration
	pluginsMeasured bool
}

func startCPU(pids []int) *cpuMeter {
	c := &cpuMeter{pids: pids}
	c.host = hostCPU()
	c.plugins, c.pluginsMeasured = processCPU(pids)
	return c
}

// report reports host-cpu-ns/op and plugin-cpu-ns/op: the CPU time the
// host's process (every goroutine, the test's included; GC too) and the
// plugins' processes used since startCPU, per op. The plugins' is counted
// in clock ticks (10 ms): it is exact to about 1% over a second's run.
func (c *cpuMeter) report(b *testing.B) {
	n := float64(b.N)
	b.ReportMetric(float64((hostCPU()-c.host).Nanoseconds())/n, "host-cpu-ns/op")
	if after, ok := processCPU(c.pids); ok && c.pluginsMeasured {
		b.ReportMetric(float64((after-c.plugins).Nanoseconds())/n, "plugin-cpu-ns/op")
	}
}

// hostCPU returns the CPU time this process has used.
func hostCPU() time.Duration {
	return proctest.CPUTime()
}

// processCPU returns the CPU time processes pids have used, read from
// /proc/<pid>/stat (utime and stime, in ticks of 1/100 s, the USER_HZ of
// Linux), and false where it cannot.
func processCPU(pids []int) (time.Duration, bool) {
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, false
		}
		// pid (comm) state ppid ...: utime and stime are the 12th and
		// 13th fields after the last ')'.
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			return 0, false
		}
		for _, v := range f[11:13] {
			t, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, false
			}
			ticks += t
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

// startStop is one start of the plugins of h's packages folder as a host
// does it, timed: a new manager (made untimed, as newHost makes it, its log
// discarded) is started (discover, gate, the plugins' processes started
// side by side: check, spawn, handshake, describe; then for each plugin in
// turn: load, enable). Then, untimed, it checks that
// the n plugins are enabled and run, shuts the manager down and waits for
// every process to be gone. It returns how long Shutdown took. live is the
// manager that runs, for the benchmark's cleanup.
func startStop(b *testing.B, h *testHost, n int, read bool, live **manager.Manager) time.Duration {
	b.StopTimer()
	if read {
		touchExecutables(b, h, n)
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{h.src},
		BaseDir:  h.dir,
		Settings: h.store,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range testHooks {
		hooks.MustDeclare[textHook](m.Hooks(), hooks.Spec{Name: name})
	}
	m.Inject(server.InjectEventBus, h.bus)
	*live = m
	b.StartTimer()

	if err := m.Start(context.Background()); err != nil {
		b.Fatal(err)
	}

	b.StopTimer()
	pids := make([]int, 0, n)
	for i := range n {
		id := fmt.Sprintf("hello%d", i)
		in, ok := m.Info(id)
		if !ok || !in.Enabled || in.Process == nil || in.Process.PID == 0 {
			b.Fatalf("%s after Start: listed %v, %+v", id, ok, in)
		}
		pids = append(pids, in.Process.PID)
	}
	t0 := time.Now()
	if err := m.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	stop := time.Since(t0)
	*live = nil
	for _, pid := range pids {
		waitGone(b, pid)
	}
	b.StartTimer()
	return stop
}

// touchExecutables sets the times of the n executables of h to what they
// are, which changes their change time: the next start reads them.
func touchExecutables(b *testing.B, h *testHost, n int) {
	for i := range n {
		exe := filepath.Join(h.pkgs, fmt.Sprintf("hello%d", i), process.ExecutablePrefix+fmt.Sprintf("hello%d", i))
		fi, err := os.Stat(exe)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.Chtimes(exe, fi.ModTime(), fi.ModTime()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStarts runs startStop in b.Loop with n plugins installed, and
// reports ms/op, ms/plugin (when n > 1) and stop-ms, the mean untimed
// Shutdown. read: every start reads the executables (their change time
// changed since their last check); else the checks are answered from the
// record of the first.
func benchStarts(b *testing.B, n int, read bool) {
	defer process.SetRacyWindow(0)()
	h, _ := benchHost(b, n, true)
	var live *manager.Manager
	b.Cleanup(func() { // before newHost's cleanup, which checks for leaks
		if live != nil {
			_ = live.Shutdown(context.Background())
		}
	})
	var stop time.Duration
	b.ReportAllocs()
	for b.Loop() {
		stop += startStop(b, h, n, read, &live)
	}
	if left := running(b, h.pkgs); len(left) > 0 {
		b.Errorf("plugin processes left: %v", left)
	}
	ms := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1e6
	b.ReportMetric(ms, "ms/op")
	if n > 1 {
		b.ReportMetric(ms/float64(n), "ms/plugin")
	}
	b.ReportMetric(float64(stop.Nanoseconds())/float64(b.N)/1e6, "stop-ms")
}

// BenchmarkStartOne times a host's start of one process plugin: Manager.Start
// over a packages folder holding hello (the executable's SHA-256 checked
// against its manifest, spawn, the lean protocol's Hellos and description,
// Load; enable: injection, SettingsDefaults, Initialize and the hook and
// helper proxies).
// Making the manager and its Shutdown run untimed; stop-ms is the Shutdown
// (the process asked to exit, and reaped). read: the executable's change
// time changed since its last check, so the start reads it whole; recorded:
// the check is answered from the record of an earlier one (its file
// unchanged). sha256-ms is, for reference, one process.FileSHA256 of
// hello's executable, what reading it costs.
func BenchmarkStartOne(b *testing.B) {
	exe := bin(b, "hello")
	var sum time.Duration
	const sums = 5
	for range sums {
		t0 := time.Now()
		if _, err := process.FileSHA256(exe); err != nil {
			b.Fatal(err)
		}
		sum += time.Since(t0)
	}
	for _, read := range []bool{true, false} {
		name := map[bool]string{true: "read", false: "recorded"}[read]
		b.Run(name, func(b *testing.B) {
			benchStarts(b, 1, read)
			b.ReportMetric(float64(sum.Nanoseconds())/sums/1e6, "sha256-ms")
		})
	}
}

// BenchmarkStartTenParallel times a host's start of 10 process plugins,
// their checks answered from the record of earlier ones.
//
// manager-start is what a host does: Manager.Start over a packages folder
// holding 10 copies of hello, as BenchmarkStartOne. The manager starts the
// processes side by side (up to 8 at once: each start is a check, a spawn
// and the process's initialisation, which on 2 cores compete for them), the
// first direct call's connection included; then it loads (Check, Load: a
// call each) and enables (SettingsDefaults, Inject, Initialize: a call
// each) the plugins one after the other, in discovery order.
// ms/plugin = ms/op ÷ 10.
//
// tier-loads is the start of the same 10 plugins in parallel at the tier:
// one goroutine per plugin calls the candidate's Load (the check,
// spawn, handshake, describe; no manager, no enable), what a manager that
// loaded in parallel would wait for. Closing the instances runs untimed.
func BenchmarkStartTenParallel(b *testing.B) {
	const n = 10
	b.Run("manager-start", func(b *testing.B) { benchStarts(b, n, false) })
	b.Run("tier-loads", func(b *testing.B) {
		defer process.SetRacyWindow(0)()
		h, _ := benchHost(b, n, true)
		src := process.New(h.pkgs, process.Options{})
		env := tier.Env{
			Logger: slog.New(slog.DiscardHandler),
			HookType: func(hook string) (reflect.Type, bool) {
				return reflect.TypeFor[textHook](), hook == hookLine
			},
		}
		insts := make([]tier.Instance, n)
		closeAll := func() {
			for i, inst := range insts {
				if inst != nil {
					_ = inst.Close()
					insts[i] = nil
				}
			}
		}
		b.Cleanup(closeAll) // before newHost's cleanup, which checks for leaks
		b.ReportAllocs()
		for b.Loop() {
			cands, err := src.Scan(context.Background())
			if err != nil || len(cands) != n {
				b.Fatalf("scan: %d candidates, %v; want %d", len(cands), err, n)
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range cands {
				wg.Go(func() { insts[i], errs[i] = cands[i].Load(context.Background(), env) })
			}
			wg.Wait()

			b.StopTimer()
			var pids []int
			for i, inst := range insts {
				if errs[i] != nil {
					closeAll()
					b.Fatalf("load %s: %v", cands[i].ID, errs[i])
				}
				pids = append(pids, inst.(tier.ProcessReporter).ProcessStatus().PID)
			}
			closeAll()
			for _, pid := range pids {
				waitGone(b, pid)
			}
			b.StartTimer()
		}
		if left := running(b, h.pkgs); len(left) > 0 {
			b.Errorf("plugin processes left: %v", left)
		}
		ms := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 1e6
		b.ReportMetric(ms, "ms/op")
		b.ReportMetric(ms/n, "ms/plugin")
	})
}

// BenchmarkHookRoundTrip times one line through the typed hook test.line
// (func(string) string, textHook) with hooks.Hook.Call, as a host's comm
// layer sends each G-code line: each handler is a proxy that sends the line
// to a hello process over its direct calls (as JSON) and returns its answer. Every call
// is checked to have reached every handler and come back upper-cased.
//
// plugins=1 and plugins=5: the hook handled by 1 or 5 process plugins (one
// process each); ns/handler = ns/op ÷ plugins. serial: one goroutine.
// parallel: b.RunParallel, GOMAXPROCS goroutines sending lines at once;
// ns/op is then wall time per line (the throughput), not a line's latency.
// host-cpu-ns/op and plugin-cpu-ns/op: see cpuMeter.
func BenchmarkHookRoundTrip(b *testing.B) {
	want := strings.ToUpper(benchLine)
	send := func(h *testHost, n int) error {
		line, done := benchLine, 0
		h.line.Call(func(hd hooks.Handler[textHook]) {
			line = hd.Fn(line)
			done++ // not reached when the handler fails (it panics)
		})
		if done != n || line != want {
			return fmt.Errorf("%d of %d handlers answered, line %q; want %q", done, n, line, want)
		}
		return nil
	}
	for _, n := range []int{1, 5} {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) {
			h, pids := benchHost(b, n, false)
			if got := len(h.line.Handlers()); got != n {
				b.Fatalf("%d handlers, want %d", got, n)
			}
			perHandler := func(b *testing.B) {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/handler")
			}
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU(pids)
				for b.Loop() {
					if err := send(h, n); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b)
				perHandler(b)
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU(pids)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := send(h, n); err != nil {
							b.Error(err)
							return
						}
					}
				})
				cpu.report(b)
				perHandler(b)
			})
		})
	}
}

// BenchmarkHelperCall times one call of hello's helper upper from the host:
// the helper is got once, as a host's code gets it, from the manager's
// PluginManager().Helpers (a wire.RemoteFunc behind the manager's guard);
// each call encodes the argument as JSON, calls the process directly and
// decodes the JSON result into a string. host-cpu-ns/op and
// plugin-cpu-ns/op: see cpuMeter.
func BenchmarkHelperCall(b *testing.B) {
	h, pids := benchHost(b, 1, false)
	upper := h.helper("hello0", "upper")
	want := strings.ToUpper(benchLine)
	b.ReportAllocs()
	cpu := startCPU(pids)
	for b.Loop() {
		out, err := upper(benchLine)
		if err != nil || len(out) != 1 {
			b.Fatalf("upper: %d results, %v", len(out), err)
		}
		var s string
		if err := json.Unmarshal(out[0], &s); err != nil || s != want {
			b.Fatalf("upper: %q, %v; want %q", s, err, want)
		}
	}
	cpu.report(b)
}

// BenchmarkHookWithHostCall: one call of a hook handler that reads one of
// its plugin's settings (hello's test.greet): the round trip into the
// plugin and one back into the host, as an OctoPrint plugin reading its
// settings in a G-code hook makes. host=grpc makes the call back over gRPC:
// hello built for the earlier protocol, offering no direct calls either
// way.
func BenchmarkHookWithHostCall(b *testing.B) {
	for _, direct := range []bool{true, false} {
		b.Run(map[bool]string{true: "host=direct", false: "host=grpc"}[direct], func(b *testing.B) {
			h, pids := benchHostOf(b, overGRPC(b, direct, "hello"), 1, false)
			b.ReportAllocs()
			cpu := startCPU(pids)
			for b.Loop() {
				got := ""
				h.greet.Call(func(hd hooks.Handler[textHook]) { got = hd.Fn("Ada") })
				if got != "Hello, Ada" {
					b.Fatalf("greet: %q", got)
				}
			}
			cpu.report(b)
		})
	}
}
