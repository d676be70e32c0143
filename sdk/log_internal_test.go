package sdk

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/lean"
)

// TestLogLevelFromTheHost: the level the host says, when it asks for the
// description and in a LOG_LEVEL call, is the level of every logger of the
// plugin, those made before included; a level the SDK cannot read is an
// error that leaves the level as it was.
func TestLogLevelFromTheHost(t *testing.T) {
	t.Cleanup(func() { logLevel.Set(slog.LevelDebug) })
	s := newServer("lv", &tentacle.Definition{Name: "lv"})
	log := newLogger()
	debug := func() bool { return log.Enabled(context.Background(), slog.LevelDebug) }
	if !debug() {
		t.Fatal("before the host says: debug records are not sent")
	}
	if _, err := s.describe(&lean.DescribeRequest{Plugin: "lv", LogLevel: "INFO"}); err != nil {
		t.Fatal(err)
	}
	if debug() || !log.Enabled(context.Background(), slog.LevelInfo) {
		t.Errorf("after describe at INFO: debug %v; want info and up", debug())
	}
	for _, tc := range []struct {
		level, err string
		debug      bool
	}{
		{level: "DEBUG", debug: true},
		{level: "LOUD", err: `plugin "lv": log level: slog: level string "LOUD": unknown name`, debug: true},
		{level: "WARN", debug: false},
	} {
		_, err := s.Call(context.Background(), &lean.CallRequest{Kind: lean.CallRequest_LOG_LEVEL, Target: tc.level})
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("LOG_LEVEL %s: %v, want error %q", tc.level, err, tc.err)
		}
		if debug() != tc.debug {
			t.Errorf("after LOG_LEVEL %s: debug records sent %v, want %v", tc.level, debug(), tc.debug)
		}
	}
}
