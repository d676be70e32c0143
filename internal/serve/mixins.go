package serve

import (
	"context"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/events"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// busView is the event bus as plugins see it.
type busView struct{ bus *events.Bus }

func (b busView) Fire(event string, payload map[string]any) { b.bus.Fire(event, payload) }

const pluginSubscriber = "plugin:"

// eventFault counts a panic of a plugin's OnEvent against the plugin.
func (s *Server) eventFault(sub string, ev events.Event, r any) {
	if id, ok := cutPrefix(sub, pluginSubscriber); ok {
		s.mgr.RecordPanic(id, "OnEvent "+ev.Name, r)
		return
	}
	s.log.Error("event subscriber panicked", "subscriber", sub, "event", ev.Name, "panic", r)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// eventActivator subscribes an EventHandler plugin to the bus while it is
// enabled: it gets its own queue and goroutine.
type eventActivator struct {
	s    *Server
	mu   sync.Mutex
	subs map[string]*events.Subscription
}

func (*eventActivator) Name() string { return "events" }

func (a *eventActivator) Activate(p manager.Plugin) error {
	h, ok := manager.As[server.EventHandler](p)
	if !ok {
		return nil
	}
	sub, err := a.s.bus.Subscribe(pluginSubscriber+p.ID(), func(ev events.Event) { h.OnEvent(ev.Name, ev.Payload) })
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.subs == nil {
		a.subs = make(map[string]*events.Subscription)
	}
	a.subs[p.ID()] = sub
	return nil
}

func (a *eventActivator) Deactivate(p manager.Plugin) {
	a.mu.Lock()
	sub := a.subs[p.ID()]
	delete(a.subs, p.ID())
	a.mu.Unlock()
	if sub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := sub.Close(ctx); err != nil {
		a.s.log.Warn("a plugin's event handler did not return in time; it is left behind", "plugin", p.ID(), "error", err)
	}
}

// startupActivator delivers the startup callbacks to a plugin enabled while
// the server serves (OctoPrint never does).
type startupActivator struct{ s *Server }

func (startupActivator) Name() string { return "startup" }

func (a startupActivator) Activate(p manager.Plugin) error {
	if !a.s.serving.Load() {
		return nil
	}
	if st, ok := manager.As[server.Startup](p); ok {
		st.OnStartup(a.s.host, a.s.listenPort())
	}
	if as, ok := manager.As[server.AfterStartup](p); ok {
		a.s.background(func() {
			a.s.afterStartup(func() { a.s.guarded(p.ID(), "OnAfterStartup", as.OnAfterStartup) })
		})
	}
	return nil
}

func (startupActivator) Deactivate(manager.Plugin) {}

// background runs fn on a goroutine the stop waits for (within its
// timeout); once the stop has begun, fn is not run.
func (s *Server) background(fn func()) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgClosed {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn()
	}()
}

// afterStartup calls fn, a plugin's OnAfterStartup, unless the stop has
// begun: then it is not called. The stop waits for the calls under way
// before it tells plugins of the shutdown, so that a plugin never hears of
// the stop while its OnAfterStartup still runs.
func (s *Server) afterStartup(fn func()) {
	s.afterMu.RLock()
	defer s.afterMu.RUnlock()
	if s.life.Err() != nil {
		return
	}
	fn()
}

// guarded calls plugin code outside the lifecycle, counting a panic as a
// fault of the plugin.
func (s *Server) guarded(id, what string, fn func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.mgr.RecordPanic(id, what, r)
			ok = false
		}
	}()
	fn()
	return true
}
