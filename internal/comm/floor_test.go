package comm

import (
	"testing"

	"github.com/tentacle-go/tentacle/server"
)

// BenchmarkHandlerCallFloor is the cost of calling one G-code handler that
// returns nil, in a plain loop: the floor under the protocol's dispatch.
func BenchmarkHandlerCallFloor(b *testing.B) {
	fns := make([]server.GcodeHook, 50)
	for i := range fns {
		fns[i] = func(_ string, cmd server.Command) []server.Command {
			if cmd.Gcode == "M600" {
				return server.Suppress()
			}
			return nil
		}
	}
	cmd := server.Command{Line: "G1 X10", Gcode: "G1", Tags: fileTags}
	b.ReportAllocs()
	for b.Loop() {
		for _, fn := range fns {
			if res := fn("sending", cmd); len(res) > 0 {
				b.Fatal("changed")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(fns)), "ns/call")
}
