package hooks_test

import (
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
)

// rewriters returns n distinct, non-inlinable handlers that rewrite a line:
// func values from distinct closures, called through a pointer.
func rewriters(n int) []func(line string) string {
	fns := make([]func(string) string, n)
	for i := range fns {
		tag := byte('a' + i%26)
		fns[i] = func(line string) string {
			if len(line) > 0 && line[len(line)-1] == tag {
				return line[:len(line)-1]
			}
			return line
		}
	}
	return fns
}

var sink string

func BenchmarkDispatch(b *testing.B) {
	const name = "tentacle.comm.protocol.gcode.sending"
	for _, n := range []int{1, 5, 50} {
		fns := rewriters(n)
		r := hooks.NewRegistry(hooks.Options{OnFault: func(string, string, any) {}})
		h := hooks.MustDeclare[func(line string) string](r, hooks.Spec{Name: name})
		for i, fn := range fns {
			if err := r.Add("plugin_"+strconv.Itoa(i), name, hooks.Registration{Func: fn, Order: i, HasOrder: true}); err != nil {
				b.Fatal(err)
			}
		}
		perHandler := func(b *testing.B) {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/handler")
		}

		b.Run(fmt.Sprintf("direct-loop/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			line := "G1 X10 Y20"
			for b.Loop() {
				for _, hd := range h.Handlers() {
					line = hd.Fn(line)
				}
			}
			sink = line
			perHandler(b)
		})
		b.Run(fmt.Sprintf("call/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			line := "G1 X10 Y20"
			for b.Loop() {
				h.Call(func(hd hooks.Handler[func(string) string]) { line = hd.Fn(line) })
			}
			sink = line
			perHandler(b)
		})
		b.Run(fmt.Sprintf("hand-chain/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			chain := append([]func(string) string(nil), fns...)
			line := "G1 X10 Y20"
			for b.Loop() {
				for _, fn := range chain {
					line = fn(line)
				}
			}
			sink = line
			perHandler(b)
		})
	}
}

// BenchmarkAddRemove is enabling and disabling one plugin's handler on a hook
// that has 50 others: the typed snapshot is rebuilt twice per iteration
// (the untyped view only when asked for).
func BenchmarkAddRemove(b *testing.B) {
	const name = "tentacle.comm.protocol.gcode.sending"
	r := hooks.NewRegistry(hooks.Options{})
	hooks.MustDeclare[func(line string) string](r, hooks.Spec{Name: name})
	for i, fn := range rewriters(50) {
		if err := r.Add("plugin_"+strconv.Itoa(i), name, hooks.Registration{Func: fn, Order: i * 10, HasOrder: true}); err != nil {
			b.Fatal(err)
		}
	}
	fn := rewriters(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Add("toggled", name, hooks.Registration{Func: fn, Order: 255, HasOrder: true}); err != nil {
			b.Fatal(err)
		}
		r.Remove("toggled", name)
	}
}

// BenchmarkBulkAdd is enabling 1000 plugins with one handler each for the
// same hook under Hold/Release: O(n log n), one snapshot per view.
func BenchmarkBulkAdd(b *testing.B) {
	const name = "tentacle.comm.protocol.gcode.sending"
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			plugins := make([]string, n)
			for i := range plugins {
				plugins[i] = fmt.Sprintf("plugin_%04d", (i*7919)%n) // not in sorted order
			}
			fn := rewriters(1)[0]
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				r := hooks.NewRegistry(hooks.Options{})
				h := hooks.MustDeclare[func(line string) string](r, hooks.Spec{Name: name})
				b.StartTimer()
				r.Hold()
				for i, p := range plugins {
					if err := r.Add(p, name, hooks.Registration{Func: fn, Order: i % 10, HasOrder: i%3 != 0}); err != nil {
						b.Fatal(err)
					}
				}
				r.Release()
				if len(h.Handlers()) != n {
					b.Fatalf("%d handlers, want %d", len(h.Handlers()), n)
				}
			}
		})
	}
}

// BenchmarkStats is the counting a dispatch loop adds to each handler call
// (hooks.Stats): one plain increment for a compiled-in handler, two clock
// readings and atomic adds for a timed one, and for a timed one on a host
// loop (labelled) two switches of the goroutine's profile labels.
func BenchmarkStats(b *testing.B) {
	const name = "test.stats"
	for _, tc := range []struct {
		name  string
		timed bool
		loop  *hooks.Loop
	}{
		{"timed=false", false, nil},
		{"timed=true", true, nil},
		{"labelled", true, hooks.NewLoop("bench")},
	} {
		r := hooks.NewRegistry(hooks.Options{})
		h := hooks.MustDeclare[func()](r, hooks.Spec{Name: name})
		if err := r.Add("p", name, hooks.Registration{Func: func() {}, Timed: tc.timed, Tier: "source"}); err != nil {
			b.Fatal(err)
		}
		st := h.Handlers()[0].Stats
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			tc.loop.Enter()
			defer pprof.SetGoroutineLabels(context.Background())
			for b.Loop() {
				st.EndOn(tc.loop, st.BeginOn(tc.loop))
			}
		})
	}
}
