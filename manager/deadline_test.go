package manager_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// blocker is a plugin whose Initialize and Greet block while block is
// open the first times they are called (as many as stuck and stuckGreet
// say), as a hung plugin's code does.
type blocker struct {
	tentacle.Base
	block             chan struct{}
	mu                sync.Mutex
	stuck, stuckGreet int // calls that still block
}

func (b *blocker) wait(n *int) {
	b.mu.Lock()
	stuck := *n > 0
	*n--
	b.mu.Unlock()
	if stuck {
		<-b.block
	}
}

func (b *blocker) Initialize() error { b.wait(&b.stuck); return nil }
func (b *blocker) Greet() string     { b.wait(&b.stuckGreet); return "hello" }

// greeter is a host mixin of the tests.
type greeter interface{ Greet() string }

type courteous struct{ tentacle.Base }

func (*courteous) Greet() string { return "hi" }

// deadlineHost is a manager over a blocking plugin and a well-behaved one,
// with short deadlines, recording the hung events it is told of.
func deadlineHost(t *testing.T, b *blocker, opts manager.Options) (*manager.Manager, func() []manager.HungEvent) {
	t.Helper()
	defs := map[string]*tentacle.Definition{
		"stuck": {Name: "stuck", Implementation: b},
		"fine":  {Name: "fine", Implementation: &courteous{}},
	}
	var mu sync.Mutex
	var events []manager.HungEvent
	opts.Origins = []tier.Origin{tier.Definitions("test", false, defs)}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Mixins = []tentacle.Mixin{{Type: reflect.TypeFor[greeter]()}}
	opts.OnHung = func(ev manager.HungEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }
	if opts.Deadlines == nil {
		opts.Deadlines = map[manager.Phase]time.Duration{manager.PhaseInitialize: 50 * time.Millisecond, manager.PhaseCall: 50 * time.Millisecond}
	}
	m, err := manager.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(b.block) // the abandoned calls return, and their goroutines end
		_ = m.Shutdown(context.Background())
	})
	return m, func() []manager.HungEvent {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(events)
	}
}

// within fails the test when fn takes longer than d: a call that hangs must
// come back at its deadline.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s still waiting after %s", what, d)
	}
}

// TestHungAtStart: a plugin whose Initialize never returns is abandoned at
// its deadline; the start goes on with the others, the plugin is listed as
// hung with the phase, the host is told, and no operation waits on it.
func TestHungAtStart(t *testing.T) {
	b := &blocker{block: make(chan struct{}), stuck: 1}
	m, hungs := deadlineHost(t, b, manager.Options{})
	within(t, 5*time.Second, "Start", func() {
		err := m.Start(context.Background())
		if !errors.Is(err, manager.ErrHung) {
			t.Errorf("Start: %v, want ErrHung", err)
		}
	})
	in, _ := m.Info("stuck")
	if in.Enabled || in.Error == nil || in.Error.Phase != manager.PhaseInitialize || !strings.Contains(in.Reason, "hung: its initialize did not return within 50ms") {
		t.Errorf("stuck: enabled %v, error %+v, reason %q; want disabled, hung in initialize", in.Enabled, in.Error, in.Reason)
	}
	if in, _ := m.Info("fine"); !in.Enabled {
		t.Error("the other plugin was not enabled")
	}
	if got := m.Abandoned(); got != 1 {
		t.Errorf("Abandoned() = %d, want 1", got)
	}
	waitFor(t, "the hung event", func() bool { return len(hungs()) == 1 })
	if ev := hungs()[0]; ev.Plugin != "stuck" || ev.Phase != manager.PhaseInitialize || ev.Deadline != 50*time.Millisecond {
		t.Errorf("hung event %+v", ev)
	}
	// Other plugins' operations do not wait for it.
	within(t, time.Second, "Disable of another plugin", func() {
		if _, err := m.Disable(context.Background(), "fine"); err != nil {
			t.Error(err)
		}
	})
	// An operator's enable calls its code again (it returns this time).
	within(t, time.Second, "Enable of the hung plugin", func() {
		if _, err := m.Enable(context.Background(), "stuck"); err != nil {
			t.Errorf("Enable after the hang: %v", err)
		}
	})
	if in, _ := m.Info("stuck"); !in.Enabled || in.Reason != "" {
		t.Errorf("after the operator's enable: enabled %v, reason %q", in.Enabled, in.Reason)
	}
}

// TestHungEnableNotPersisted: an operator's enable that hangs fails at its
// deadline, and the plugin goes back into plugins._disabled, so that the
// next start does not run it as if the enable had worked.
func TestHungEnableNotPersisted(t *testing.T) {
	b := &blocker{block: make(chan struct{}), stuck: 1}
	store := settings.New(nil)
	if err := store.Set("plugins._disabled", []any{"stuck"}); err != nil {
		t.Fatal(err)
	}
	m, _ := deadlineHost(t, b, manager.Options{Settings: store})
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ch manager.Change
	var err error
	within(t, 5*time.Second, "Enable", func() { ch, err = m.Enable(context.Background(), "stuck") })
	if !errors.Is(err, manager.ErrHung) || ch.Persisted {
		t.Errorf("Enable: %+v, %v; want ErrHung, not persisted", ch, err)
	}
	if got, _ := store.Get("plugins._disabled").([]any); !slices.Contains(got, any("stuck")) {
		t.Errorf("plugins._disabled = %v, want stuck back in it", got)
	}
}

// TestHungMixinCall: a host's call of a mixin (CallEach) that never
// returns is abandoned at the deadline of PhaseCall; the others are called,
// the plugin is disabled without calling its code, and skipped afterwards.
func TestHungMixinCall(t *testing.T) {
	b := &blocker{block: make(chan struct{}), stuckGreet: 1}
	m, _ := deadlineHost(t, b, manager.Options{})
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var greeted []string
	within(t, 5*time.Second, "CallEach", func() {
		err := manager.CallEach(m, "", func(id string, g greeter) error {
			greeted = append(greeted, id+": "+g.Greet())
			return nil
		})
		if !errors.Is(err, manager.ErrHung) {
			t.Errorf("CallEach: %v, want ErrHung", err)
		}
	})
	if !slices.Contains(greeted, "fine: hi") {
		t.Errorf("greeted %q; want the other plugin called", greeted)
	}
	waitFor(t, "the hung plugin disabled", func() bool { in, _ := m.Info("stuck"); return !in.Enabled })
	if n := len(manager.ImplementationsOf[greeter](m, "")); n != 1 {
		t.Errorf("%d implementations after the hang, want 1", n)
	}
}

// TestStartCancelled: a start whose context ends while a plugin's code
// runs (the host is told to stop) abandons the call and returns.
func TestStartCancelled(t *testing.T) {
	b := &blocker{block: make(chan struct{}), stuck: 1}
	m, _ := deadlineHost(t, b, manager.Options{Deadlines: map[manager.Phase]time.Duration{manager.PhaseInitialize: -1}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	within(t, 5*time.Second, "a cancelled Start", func() {
		if err := m.Start(ctx); err == nil {
			t.Error("Start succeeded")
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// slowSteps is a plugin whose settings defaults block while block is open
// (when block is set) and whose Initialize and OnPluginEnabled each take
// pause, counting what was called.
type slowSteps struct {
	tentacle.Base
	block   chan struct{}
	pause   time.Duration
	mu      sync.Mutex
	enabled int
}

func (p *slowSteps) SettingsDefaults() map[string]any {
	if p.block != nil {
		<-p.block
	}
	return map[string]any{"key": "default"}
}

func (p *slowSteps) Initialize() error { time.Sleep(p.pause); return nil }

func (p *slowSteps) OnPluginEnabled() {
	time.Sleep(p.pause)
	p.mu.Lock()
	p.enabled++
	p.mu.Unlock()
}

func (p *slowSteps) enabledCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enabled
}

var (
	_ tentacle.SettingsPlugin = (*slowSteps)(nil)
	_ tentacle.Initializer    = (*slowSteps)(nil)
	_ tentacle.EnableListener = (*slowSteps)(nil)
)

func slowStepsHost(t *testing.T, p *slowSteps, deadlines map[manager.Phase]time.Duration) *manager.Manager {
	t.Helper()
	m, err := manager.New(manager.Options{
		Origins:   []tier.Origin{tier.Definitions("test", false, map[string]*tentacle.Definition{"slow": {Name: "slow", Implementation: p}})},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Deadlines: deadlines,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOverrunEndsTheSteps: the enable's calls into the plugin and the
// host's work between them run as one call on the worker; once a call
// overran, none of the rest runs, even when the stuck call returns later:
// its settings defaults are not registered and OnPluginEnabled is not
// called.
func TestOverrunEndsTheSteps(t *testing.T) {
	p := &slowSteps{block: make(chan struct{})}
	m := slowStepsHost(t, p, map[manager.Phase]time.Duration{manager.PhaseInject: 50 * time.Millisecond})
	defer func() { _ = m.Shutdown(context.Background()) }()
	within(t, 5*time.Second, "Start", func() {
		if err := m.Start(context.Background()); !errors.Is(err, manager.ErrHung) {
			t.Errorf("Start: %v, want ErrHung", err)
		}
	})
	if in, _ := m.Info("slow"); in.Error == nil || in.Error.Phase != manager.PhaseInject {
		t.Fatalf("slow: error %+v, want hung in inject", in.Error)
	}
	close(p.block) // the stuck call returns
	time.Sleep(50 * time.Millisecond)
	if v := m.Settings().Get("plugins.slow.key"); v != nil {
		t.Errorf("plugins.slow.key = %v after the overrun: the host's work went on on the abandoned worker", v)
	}
	if n := p.enabledCalls(); n != 0 {
		t.Errorf("OnPluginEnabled called %d times after the overrun", n)
	}
}

// TestStepDeadlinesEach: each call has its phase's deadline from when it
// begins, not from the start of the calls made together: two calls that
// each take less than their deadline pass although together they take
// longer.
func TestStepDeadlinesEach(t *testing.T) {
	p := &slowSteps{pause: 150 * time.Millisecond}
	m := slowStepsHost(t, p, map[manager.Phase]time.Duration{
		manager.PhaseInitialize: 400 * time.Millisecond, manager.PhaseEnabled: 400 * time.Millisecond})
	defer func() { _ = m.Shutdown(context.Background()) }()
	p.pause = 250 * time.Millisecond // 500 ms together
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if in, _ := m.Info("slow"); !in.Enabled || p.enabledCalls() != 1 {
		t.Errorf("slow: enabled %v, OnPluginEnabled called %d times; want enabled, once", in.Enabled, p.enabledCalls())
	}
}
