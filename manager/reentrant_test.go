package manager_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/tier"
)

// callsBack is a plugin whose lifecycle callbacks call the manager that
// runs them, as a plugin holding a host's admin interface might.
type callsBack struct {
	tentacle.Base
	m    *manager.Manager
	errs chan error
}

func (p *callsBack) Initialize() error {
	_, err := p.m.Enable(context.Background(), "other")
	p.errs <- err
	return nil
}

func (p *callsBack) OnPluginDisabled() {
	_, err := p.m.Rescan(context.Background())
	p.errs <- err
}

// activatorCallsBack is a host's activator that calls the manager.
type activatorCallsBack struct {
	m    *manager.Manager
	errs chan error
}

func (activatorCallsBack) Name() string { return "calls-back" }
func (a activatorCallsBack) Activate(p manager.Plugin) error {
	if p.ID() == "back" {
		_, err := a.m.Disable(context.Background(), "other")
		a.errs <- err
	}
	return nil
}
func (activatorCallsBack) Deactivate(manager.Plugin) {}

// TestReentrantCallFails: a manager operation asked for from a lifecycle
// callback (or a host's activator) of the operation under way fails with
// ErrReentrant instead of deadlocking; the same call from another
// goroutine waits its turn and succeeds.
func TestReentrantCallFails(t *testing.T) {
	impl := &callsBack{errs: make(chan error, 4)}
	defs := map[string]*tentacle.Definition{
		"back":  {Name: "back", Implementation: impl},
		"other": {Name: "other"},
	}
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{tier.Definitions("test", false, defs)},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	impl.m = m
	act := activatorCallsBack{m: m, errs: make(chan error, 4)}
	m.AddActivator(act)

	done := make(chan error, 1)
	go func() { done <- m.Start(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Start deadlocked on a call back into the manager")
	}
	for name, ch := range map[string]chan error{"Initialize": impl.errs, "activator": act.errs} {
		if err := <-ch; !errors.Is(err, manager.ErrReentrant) {
			t.Errorf("manager call from %s: %v, want ErrReentrant", name, err)
		}
	}

	// From a goroutine of its own, the call waits for the operation and
	// is made.
	go func() { _, err := m.Disable(context.Background(), "other"); done <- err }()
	if err := <-done; err != nil {
		t.Errorf("Disable from another goroutine: %v", err)
	}

	go func() { _, err := m.Disable(context.Background(), "back"); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Disable: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Disable deadlocked on a call back into the manager")
	}
	if err := <-impl.errs; !errors.Is(err, manager.ErrReentrant) {
		t.Errorf("manager call from OnPluginDisabled: %v, want ErrReentrant", err)
	}
	if err := m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
