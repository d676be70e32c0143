package manager_test

// Benchmarks of the plugin core (docs/benchmarks.md says how to run them
// and has the latest figures, with their targets):
//
//   - BenchmarkLoadEnable: discover, gate, load and enable N builtin plugins
//     (Manager.Start), N = 10, 100, 1000.
//   - BenchmarkShutdown: disable and unload them again (Manager.Shutdown).
//   - BenchmarkToggle: one operator Disable+Enable cycle of one plugin at
//     runtime, beside 10 or 100 others.
//   - BenchmarkImplementations: the enabled implementations of a mixin with
//     100 implementers, with and without a sorting context.
//
// Hook dispatch is benchmarked in package hooks (hooks/bench_test.go).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// benchHook is the hook every benchmark plugin has a handler for.
const benchHook = "tentacle.comm.protocol.gcode.sending"

type benchLineHook = func(line string) string

// benchStartup is a host mixin (OctoPrint's StartupPlugin.on_startup).
type benchStartup interface {
	OnStartup(host string, port int)
}

// benchPlugin is the implementation of every benchmark plugin: it embeds
// tentacle.Base and implements Initializer, SettingsPlugin, Sortable and the
// host mixin benchStartup.
type benchPlugin struct {
	tentacle.Base
	key   int
	inits int
	port  int
}

func (p *benchPlugin) Initialize() error { p.inits++; return nil }

func (p *benchPlugin) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "hello", "enabled": true, "retries": 3}
}

func (p *benchPlugin) SortingKey(string) (int, bool) { return p.key, p.key%2 == 0 }

func (p *benchPlugin) OnStartup(_ string, port int) { p.port = port }

var (
	_ tentacle.Initializer    = (*benchPlugin)(nil)
	_ tentacle.SettingsPlugin = (*benchPlugin)(nil)
	_ tentacle.Sortable       = (*benchPlugin)(nil)
	_ benchStartup            = (*benchPlugin)(nil)
)

// benchDefs returns n distinct plugin definitions, bench_0000 to
// bench_<n-1>: metadata with a Compat constraint, an implementation, one
// handler for benchHook (two thirds of them with an explicit order) and one
// helper. Each handler and helper is its own closure.
func benchDefs(n int) map[string]*tentacle.Definition {
	defs := make(map[string]*tentacle.Definition, n)
	for i := range n {
		id := fmt.Sprintf("bench_%04d", i)
		tag := byte('a' + i%26)
		var handler any = benchLineHook(func(line string) string {
			if len(line) > 0 && line[len(line)-1] == tag {
				return line[:len(line)-1]
			}
			return line
		})
		if i%3 != 0 {
			handler = tentacle.Hook(handler, (i*37)%100)
		}
		defs[id] = &tentacle.Definition{
			Name:           fmt.Sprintf("Bench plugin %d", i),
			Version:        "1.0.0",
			Description:    "a plugin for the benchmarks",
			Author:         "bench",
			License:        "AGPLv3",
			Compat:         ">=1.0, <2",
			Implementation: &benchPlugin{key: (i * 7) % 50},
			Hooks:          tentacle.Hooks{benchHook: handler},
			Helpers: tentacle.Helpers{
				"shout": func(s string) string { return s + string(tag) },
			},
		}
	}
	return defs
}

var benchLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// newBenchManager returns an unstarted manager over defs with an in-memory
// settings store and benchHook declared, and the typed hook.
func newBenchManager(tb testing.TB, defs map[string]*tentacle.Definition, deadlines map[manager.Phase]time.Duration) (*manager.Manager, *hooks.Hook[benchLineHook]) {
	m, err := manager.New(manager.Options{
		Origins:   []tier.Origin{tier.Definitions("bench", false, defs)},
		Settings:  settings.New(nil),
		Mixins:    []tentacle.Mixin{{Type: reflect.TypeFor[benchStartup]()}},
		Logger:    benchLogger,
		Deadlines: deadlines,
	})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := hooks.Declare[benchLineHook](m.Hooks(), hooks.Spec{Name: benchHook})
	if err != nil {
		tb.Fatal(err)
	}
	return m, h
}

// noDeadlines sets no deadline for any lifecycle call of the benchmarks'
// plugins: the calls run on the operation's goroutine, without the handoff
// to a worker that a deadline costs.
var noDeadlines = map[manager.Phase]time.Duration{
	manager.PhaseImport: 0, manager.PhaseCheck: 0, manager.PhaseLoad: 0,
	manager.PhaseEnable: 0, manager.PhaseInject: 0, manager.PhaseInitialize: 0,
	manager.PhaseMigrate: 0, manager.PhaseEnabled: 0, manager.PhaseDisable: 0,
	manager.PhaseUnload: 0,
}

// startBench starts a manager over defs and checks that every plugin is
// enabled with its handler registered; deadlines as Options.Deadlines.
func startBench(tb testing.TB, defs map[string]*tentacle.Definition, deadlines ...map[manager.Phase]time.Duration) (*manager.Manager, *hooks.Hook[benchLineHook]) {
	var d map[manager.Phase]time.Duration
	if len(deadlines) > 0 {
		d = deadlines[0]
	}
	m, h := newBenchManager(tb, defs, d)
	if err := m.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	if got := len(h.Handlers()); got != len(defs) {
		tb.Fatalf("%d handlers after Start, want %d", got, len(defs))
	}
	return m, h
}

func shutdownBench(tb testing.TB, m *manager.Manager) {
	if err := m.Shutdown(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// retainedPerPlugin measures, once, the heap a started manager holds per
// plugin: the live heap after Start minus the live heap before New, divided
// by the number of plugins. The definitions exist before and are not
// counted (a bundled plugin's definition is part of the binary).
func retainedPerPlugin(tb testing.TB, defs map[string]*tentacle.Definition) float64 {
	before := heapInUse()
	m, _ := startBench(tb, defs)
	after := heapInUse()
	runtime.KeepAlive(m)
	shutdownBench(tb, m)
	if after < before {
		return 0
	}
	return float64(after-before) / float64(len(defs))
}

var benchSizes = []int{10, 100, 1000}

// BenchmarkLoadEnable times what a host does at startup with N builtin
// plugins: manager.New, declaring the host's hook, and Start (discover,
// gate, load, enable: hooks, helpers, mixins, settings defaults, context,
// Initialize). Shutdown runs with the timer stopped; BenchmarkShutdown times
// it. Reported: ns/plugin; B/plugin and allocs/plugin allocated during the
// timed part; retained-B/plugin, the live heap a started manager holds per
// plugin (measured once, after a GC).
func BenchmarkLoadEnable(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			defs := benchDefs(n)
			retained := retainedPerPlugin(b, defs)
			b.ReportAllocs()
			var ms runtime.MemStats
			var bytes, allocs uint64
			for b.Loop() {
				b.StopTimer()
				runtime.ReadMemStats(&ms)
				bytes0, allocs0 := ms.TotalAlloc, ms.Mallocs
				b.StartTimer()

				m, h := newBenchManager(b, defs, nil)
				if err := m.Start(context.Background()); err != nil {
					b.Fatal(err)
				}

				b.StopTimer()
				runtime.ReadMemStats(&ms)
				bytes += ms.TotalAlloc - bytes0
				allocs += ms.Mallocs - allocs0
				if got := len(h.Handlers()); got != n {
					b.Fatalf("%d handlers after Start, want %d", got, n)
				}
				shutdownBench(b, m)
				b.StartTimer()
			}
			per := float64(b.N) * float64(n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/plugin")
			b.ReportMetric(float64(bytes)/per, "B/plugin")
			b.ReportMetric(float64(allocs)/per, "allocs/plugin")
			b.ReportMetric(retained, "retained-B/plugin")
		})
	}
}

// BenchmarkShutdown times Manager.Shutdown of N enabled builtin plugins:
// disable (most recently enabled first) and unload. Making and starting the
// manager runs with the timer stopped.
func BenchmarkShutdown(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			defs := benchDefs(n)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				m, h := startBench(b, defs)
				b.StartTimer()
				shutdownBench(b, m)
				b.StopTimer()
				if got := len(h.Handlers()); got != 0 {
					b.Fatalf("%d handlers after Shutdown, want 0", got)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/plugin")
		})
	}
}

// BenchmarkToggle times one operator Disable and Enable of one plugin at
// runtime, in a started manager that has 10 or 100 other plugins enabled.
// Both persist plugins._disabled to the settings store (in memory, so Save
// writes nothing). ns/op is the whole cycle; disable-ns and enable-ns split
// it. The cycle-nodeadlines sub-benchmarks set no deadline for the
// plugins' lifecycle calls, which then run without the handoff to the
// operation's worker: the difference is the price of the deadlines.
//
// The store-calls sub-benchmarks replay, on the same store, only the
// settings calls a cycle makes to persist and re-read the plugin
// configuration (plugins._disabled, _forcedCompatible, _blocklist): the part
// of the cycle that is persistence, not plugin lifecycle.
func BenchmarkToggle(b *testing.B) {
	for _, others := range []int{10, 100} {
		defs := benchDefs(others + 1)
		id := fmt.Sprintf("bench_%04d", others/2) // one in the middle
		ctx := context.Background()

		for _, variant := range []struct {
			name      string
			deadlines map[manager.Phase]time.Duration
		}{{"cycle", nil}, {"cycle-nodeadlines", noDeadlines}} {
			b.Run(fmt.Sprintf("%s/others=%d", variant.name, others), func(b *testing.B) {
				m, h := startBench(b, defs, variant.deadlines)
				defer shutdownBench(b, m)
				checkToggleSeen(b, m, h, id)
				b.ReportAllocs()
				var disableNs, enableNs time.Duration
				for b.Loop() {
					t0 := time.Now()
					if _, err := m.Disable(ctx, id); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if _, err := m.Enable(ctx, id); err != nil {
						b.Fatal(err)
					}
					disableNs += t1.Sub(t0)
					enableNs += time.Since(t1)
				}
				b.ReportMetric(float64(disableNs.Nanoseconds())/float64(b.N), "disable-ns")
				b.ReportMetric(float64(enableNs.Nanoseconds())/float64(b.N), "enable-ns")
			})
		}

		b.Run(fmt.Sprintf("store-calls/others=%d", others), func(b *testing.B) {
			m, _ := startBench(b, defs)
			defer shutdownBench(b, m)
			s := m.Settings()
			readConfig := func() {
				_ = s.Get("plugins._disabled")
				_ = s.Get("plugins._forcedCompatible")
				_ = s.Get("plugins._blocklist")
			}
			b.ReportAllocs()
			for b.Loop() {
				// Disable: record id in plugins._disabled, save, re-gate.
				_ = s.Get("plugins._disabled")
				_, _ = s.Lookup("plugins._disabled")
				if err := s.Set("plugins._disabled", []any{id}); err != nil {
					b.Fatal(err)
				}
				if err := s.Save(); err != nil {
					b.Fatal(err)
				}
				readConfig()
				// Enable: remove it again, save, re-gate.
				_ = s.Get("plugins._disabled")
				_, _ = s.Lookup("plugins._disabled")
				if err := s.Remove("plugins._disabled"); err != nil {
					b.Fatal(err)
				}
				if err := s.Save(); err != nil {
					b.Fatal(err)
				}
				readConfig()
			}
		})
	}
}

// checkToggleSeen checks, untimed, that a typed hook's Handlers sees a
// runtime disable and enable on the very next call.
func checkToggleSeen(tb testing.TB, m *manager.Manager, h *hooks.Hook[benchLineHook], id string) {
	has := func() bool {
		return slices.ContainsFunc(h.Handlers(), func(hd hooks.Handler[benchLineHook]) bool { return hd.Plugin == id })
	}
	n := len(h.Handlers())
	if !has() {
		tb.Fatalf("%s has no handler before the toggle", id)
	}
	ctx := context.Background()
	if ch, err := m.Disable(ctx, id); err != nil || !ch.Applied {
		tb.Fatalf("Disable(%s) = %+v, %v; want applied", id, ch, err)
	}
	if has() || len(h.Handlers()) != n-1 {
		tb.Fatalf("after Disable(%s): %d handlers, has it: %v; want %d, false", id, len(h.Handlers()), has(), n-1)
	}
	if ch, err := m.Enable(ctx, id); err != nil || !ch.Applied {
		tb.Fatalf("Enable(%s) = %+v, %v; want applied", id, ch, err)
	}
	if !has() || len(h.Handlers()) != n {
		tb.Fatalf("after Enable(%s): %d handlers, has it: %v; want %d, true", id, len(h.Handlers()), has(), n)
	}
}

// BenchmarkImplementations times getting the enabled implementations of a
// host mixin with 100 implementers (manager.ImplementationsOf), with no
// sorting context (a cached, shared slice) and with one (every plugin's
// sorting key looked up, then a stable sort), and calling each through
// manager.CallEach with the sorting context.
func BenchmarkImplementations(b *testing.B) {
	const n = 100
	const sortingContext = "StartupPlugin.on_startup"
	m, _ := startBench(b, benchDefs(n))
	defer shutdownBench(b, m)
	if got := len(manager.ImplementationsOf[benchStartup](m, sortingContext)); got != n {
		b.Fatalf("%d implementations, want %d", got, n)
	}
	var sink []manager.Impl[benchStartup]

	b.Run("no-context", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = manager.ImplementationsOf[benchStartup](m, "")
		}
	})
	b.Run("sorting-context", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = manager.ImplementationsOf[benchStartup](m, sortingContext)
		}
	})
	b.Run("call-each", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = manager.CallEach(m, sortingContext, func(_ string, p benchStartup) error {
				p.OnStartup("127.0.0.1", 5000)
				return nil
			})
		}
	})
	runtime.KeepAlive(sink)
}
