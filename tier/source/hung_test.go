package source_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

const sleepyInit = `package sleepyinit

import (
	"time"

	"github.com/tentacle-go/tentacle"
)

func init() { time.Sleep(time.Second) }

var Plugin = tentacle.Definition{Name: "Sleepy Init", Version: "1.0.0"}
`

const sleepyInitialize = `package sleepy

import (
	"time"

	"github.com/tentacle-go/tentacle"
)

type P struct{ tentacle.Base }

func (p *P) Initialize() error { time.Sleep(time.Second); return nil }

var Plugin = tentacle.Definition{Name: "Sleepy", Version: "1.0.0", Implementation: &P{}}
`

const quick = `package quick

import "github.com/tentacle-go/tentacle"

var Plugin = tentacle.Definition{Name: "Quick", Version: "1.0.0"}
`

// TestHungSourcePlugin: a source plugin whose init or Initialize does not
// return within its deadline is abandoned (its goroutine cannot be
// stopped and runs on) and listed as hung; the start goes on with the
// other plugins and returns at the deadline, not when the plugin does.
func TestHungSourcePlugin(t *testing.T) {
	dir := plugins(t, map[string]string{"sleepyinit.go": sleepyInit, "sleepy.go": sleepyInitialize, "quick.go": quick})
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{source.New(dir, source.Options{})},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Deadlines: map[manager.Phase]time.Duration{
			manager.PhaseImport:     200 * time.Millisecond,
			manager.PhaseInitialize: 100 * time.Millisecond,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = m.Start(context.Background())
	took := time.Since(start)
	defer func() {
		time.Sleep(time.Second) // the abandoned calls return; their goroutines end
		m.Shutdown(context.Background())
	}()
	if !errors.Is(err, manager.ErrHung) || took > 900*time.Millisecond {
		t.Fatalf("Start: %v after %s; want ErrHung before the plugins' code returns", err, took)
	}
	for id, phase := range map[string]manager.Phase{"sleepyinit": manager.PhaseImport, "sleepy": manager.PhaseInitialize} {
		in, _ := m.Info(id)
		if in.Enabled || in.Error == nil || in.Error.Phase != phase || !strings.Contains(in.Reason, "hung: its "+string(phase)+" did not return") {
			t.Errorf("%s: enabled %v, error %+v, reason %q; want hung in %s", id, in.Enabled, in.Error, in.Reason, phase)
		}
	}
	if in, _ := m.Info("quick"); !in.Enabled {
		t.Error("quick was not enabled")
	}
}
