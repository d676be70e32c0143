package serve_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/tier"
)

// BenchmarkStartToFirstAnswer measures `tentacle serve` to its first HTTP
// answer (target: <= 100 ms with the bundled plugins): New and Run on a
// fresh base directory with the bundled plugins, until GET /api/version
// answers 200. The stop is not timed.
func BenchmarkStartToFirstAnswer(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: deadline}
	var times []time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		start := time.Now()

		srv, err := serve.New(serve.Options{
			BaseDir: dir, Port: -1, Console: io.Discard, ShutdownTimeout: deadline,
			Origins: []tier.Origin{tier.Bundled()},
		})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Run(ctx) }()
		select {
		case <-srv.Ready():
		case err := <-done:
			b.Fatalf("Run: %v", err)
		}
		resp, err := client.Get("http://" + srv.Addr() + "/api/version")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /api/version: %d", resp.StatusCode)
		}
		times = append(times, time.Since(start))

		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("Run: %v", err)
		}
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(ms(b.Elapsed())/float64(len(times)), "ms/op")
	b.ReportMetric(ms(times[len(times)/2]), "median-ms")
	b.ReportMetric(ms(times[len(times)-1]), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
