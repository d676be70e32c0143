package loglevel_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/tentacle-go/tentacle/internal/loglevel"
)

// BenchmarkDisabledRecord: what a record below its logger's level costs
// (a plugin's debug record at the default INFO), with the per-logger
// level and, for comparison, with a handler's level alone.
func BenchmarkDisabledRecord(b *testing.B) {
	text := slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})
	for _, bc := range []struct {
		name string
		log  *slog.Logger
	}{
		{"handler level", slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With(loglevel.LoggerKey, "tentacle.plugins.foo")},
		{"logger level", slog.New(loglevel.NewRegistry(slog.LevelInfo).Handler(text, loglevel.Root)).With(loglevel.LoggerKey, "tentacle.plugins.foo")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.log.Debug("tick", "n", 1)
			}
		})
	}
}
