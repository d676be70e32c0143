package process_test

import (
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// BenchmarkGcodeRoundTrip times one call of a process plugin's G-code
// handler (server.GcodeHook) for a line of a printed file that it leaves
// unchanged, its arguments and results written by the G-code codec
// (codec=gcode) or as JSON (codec=json: a plugin that does not announce
// the codec, the only way before it). host-cpu-ns/op and
// plugin-cpu-ns/op: see cpuMeter.
func BenchmarkGcodeRoundTrip(b *testing.B) {
	for _, codec := range []string{"gcode", "json"} {
		b.Run("codec="+codec, func(b *testing.B) {
			if codec == "json" {
				b.Setenv(sdk.FeaturesEnv, "off") // inherited by the plugin
			}
			// A deadline no busy machine meets by chance: an overrun would
			// end the benchmark.
			opts := process.Options{HookTimeouts: map[string]time.Duration{server.HookGcodeSending: time.Minute}}
			h, hook := conventionsHost(b, opts)
			fn := hook.Handlers()[0].Fn
			cmd := server.Command{Line: "G1 X10.5 Y20.25 E0.5", Gcode: "G1", Tags: []string{"source:file"}}
			cpu := startCPU([]int{h.pid("conventions")})
			b.ReportAllocs()
			for b.Loop() {
				if res := fn(server.PhaseSending, cmd); res != nil {
					b.Fatalf("the handler returned %+v", res)
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkObserveBatch hands the observer plugin's instance 256
// observe-only calls of the sent hook at once, as the host's worker does
// when its queue holds that many: in one round trip (batches=true) or one
// call each (batches=false, a plugin that does not take batches, the only
// way before them). An op is the 256 calls; ns/call is per call.
// host-cpu-ns/op and plugin-cpu-ns/op: see cpuMeter.
func BenchmarkObserveBatch(b *testing.B) {
	const n = 256
	for _, batches := range []bool{true, false} {
		b.Run(map[bool]string{true: "batches=true", false: "batches=false"}[batches], func(b *testing.B) {
			if !batches {
				b.Setenv(sdk.FeaturesEnv, "off") // inherited by the plugin
			}
			h := observerHost(b, process.Options{HookTimeouts: map[string]time.Duration{server.HookGcodeSent: time.Minute}})
			bt := h.m.HookBatcher("observer")
			calls := make([]tier.HookCall, n)
			for i := range calls {
				calls[i] = tier.HookCall{Hook: server.HookGcodeSent, Args: []any{server.PhaseSent,
					server.Command{Line: "G1 X10.5 Y20.25 E0.5", Gcode: "G1", Tags: []string{"source:file"}}}}
			}
			failed := make([]any, n)
			seen := h.helper("observer", "seen")
			cpu := startCPU([]int{h.pid("observer")})
			b.ReportAllocs()
			for b.Loop() {
				bt.CallHooks(calls, failed)
				if failed[0] != nil {
					b.Fatal(failed[0])
				}
				b.StopTimer()
				_, _ = seen() // the plugin forgets what it noted
				b.StartTimer()
			}
			cpu.report(b)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/call")
		})
	}
}
