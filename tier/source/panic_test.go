package source_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

const panicky = `package panicky

import "github.com/tentacle-go/tentacle"

type P struct{ tentacle.Base }

func (p *P) Initialize() error {
	var m map[string]int
	m["boom"] = 1
	return nil
}

var Plugin = tentacle.Definition{Name: "Panicky", Version: "1.0.0", Implementation: &P{}}
`

const hookPanic = `package hookpanic

import "github.com/tentacle-go/tentacle"

func handler() string {
	var s []string
	return s[3]
}

var Plugin = tentacle.Definition{Name: "Hook Panic", Version: "1.0.0", Hooks: tentacle.Hooks{"tentacle.plugin.hookpanic.x": handler}}
`

type stringHook func() string

// A panic in interpreted code is reported with the plugin's file and line.
func TestPanicLocation(t *testing.T) {
	dir := plugins(t, map[string]string{"panicky.go": panicky, "hookpanic.go": hookPanic})
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{source.New(dir, source.Options{})},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	h := hooks.MustDeclare[stringHook](m.Hooks(), hooks.Spec{Name: "tentacle.plugin.hookpanic.x"})
	err = m.Start(context.Background())
	defer m.Shutdown(context.Background())
	var pe *manager.PanicError
	if !errors.As(err, &pe) || pe.Location != filepath.Join(dir, "panicky.go")+":8" {
		t.Fatalf("Start: %v; want a panic located at panicky.go:8, the first statement of the function that panicked (the interpreter knows no finer)", err)
	}
	h.Call(func(hd hooks.Handler[stringHook]) { hd.Fn() })
	in, _ := m.Info("hookpanic")
	if in.Faults != 1 || !strings.Contains(in.LastFault, filepath.Join(dir, "hookpanic.go")+":6") {
		t.Errorf("hook fault %d %q, want one located at hookpanic.go:6", in.Faults, in.LastFault)
	}
}
