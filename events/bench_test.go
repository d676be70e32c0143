package events_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tentacle-go/tentacle/events"
)

// BenchmarkFire is the cost to the firing goroutine of publishing one event
// to N subscribers whose handlers do nothing. The subscribers' goroutines
// run meanwhile; when they fall behind, the oldest events are dropped, which
// the drops/op metric shows.
func BenchmarkFire(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			bus := events.New(events.Options{Logger: discard()})
			for i := range n {
				if _, err := bus.Subscribe(fmt.Sprintf("plugin:%d", i), func(events.Event) {}); err != nil {
					b.Fatal(err)
				}
			}
			payload := map[string]any{"id": "hello"}
			b.ReportAllocs()
			for b.Loop() {
				bus.Fire("PrintProgress", payload)
			}
			b.StopTimer()
			var dropped uint64
			for _, st := range bus.Stats() {
				dropped += st.Dropped
			}
			b.ReportMetric(float64(dropped)/float64(b.N), "drops/op")
			if err := bus.Close(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkFireUnmatched is the cost of an event that no subscriber's
// patterns match, among 10 subscribers with exact, prefix and glob
// patterns.
func BenchmarkFireUnmatched(b *testing.B) {
	bus := events.New(events.Options{Logger: discard()})
	for i := range 10 {
		patterns := [][]string{{"Startup", "Shutdown"}, {events.PluginEvent(fmt.Sprint(i), "*")}, {"Print[SD]*"}}[i%3]
		if _, err := bus.Subscribe(fmt.Sprintf("plugin:%d", i), func(events.Event) {}, patterns...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		bus.Fire("ZChange", nil)
	}
	b.StopTimer()
	if err := bus.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}
