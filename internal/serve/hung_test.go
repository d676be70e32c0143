package serve_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

// stuckStartup is a plugin whose OnStartup blocks until release is
// closed, as a hung plugin's does.
type stuckStartup struct {
	tentacle.Base
	release chan struct{}
}

func (p *stuckStartup) OnStartup(string, int) { <-p.release }

var _ server.Startup = (*stuckStartup)(nil)

// TestHungStartupServesAnyway: a plugin whose OnStartup never returns is
// abandoned at its deadline (plugins._deadlines.call); the server serves
// anyway, lists the plugin as hung and disabled, and quarantines it at its
// next start; an operator's enable lifts that.
func TestHungStartupServesAnyway(t *testing.T) {
	release := make(chan struct{})
	defer close(release) // the abandoned call returns; its goroutine ends
	plugins := map[string]*tentacle.Definition{"stuck": {Name: "Stuck", Version: "1.0.0", Implementation: &stuckStartup{release: release}}}
	dir := t.TempDir()
	h := start(t, setup{dir: dir, plugins: plugins, config: "plugins:\n  _deadlines:\n    call: 100\n"})
	var in = pluginInfo(t, h, "stuck")
	deadline := time.Now().Add(5 * time.Second)
	for in.Enabled && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		in = pluginInfo(t, h, "stuck")
	}
	if in.Enabled || !strings.Contains(in.Reason, "hung: its call did not return within 100ms") {
		t.Fatalf("stuck: enabled %v, reason %q; want disabled as hung", in.Enabled, in.Reason)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// The next start quarantines it, with the evidence.
	again := start(t, setup{dir: dir, plugins: plugins})
	if in := pluginInfo(t, again, "stuck"); in.Enabled || !in.Quarantined || !strings.Contains(in.Reason, "it hung in the run of") {
		t.Errorf("at the next start: enabled %v, quarantined %v, reason %q; want quarantined as hung", in.Enabled, in.Quarantined, in.Reason)
	}
}

// TestStopDuringHungStart: a stop asked for while a plugin's code hangs in
// the start (no deadline here) is not delayed by it: Run returns promptly,
// without serving.
func TestStopDuringHungStart(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	plugins := map[string]*tentacle.Definition{"stuck": {Name: "Stuck", Version: "1.0.0",
		Enable: func() error { <-release; return nil }}}
	dir := t.TempDir()
	writeFile(t, dir+"/config.yaml", "plugins:\n  _deadlines:\n    enable: -1\n")
	srv, err := serve.New(serve.Options{BaseDir: dir, Port: -1, Origins: []tier.Origin{tier.Definitions("test", false, plugins)}, Console: &syncBuffer{}, ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // into the hung Enable
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the stop was asked for during a hung start")
	}
	select {
	case <-srv.Ready():
		t.Error("the server served although it was stopped during its start")
	default:
	}
}
