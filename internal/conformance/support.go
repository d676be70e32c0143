package conformance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
)

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// logSink is a slog.Handler that keeps every record and passes it to t.Log.
type logSink struct {
	t       *testing.T
	mu      sync.Mutex
	records []string
}

func (l *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	l.records = append(l.records, b.String())
	l.mu.Unlock()
	if testing.Verbose() {
		l.t.Log(b.String())
	}
	return nil
}

func (l *logSink) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &childSink{root: l, attrs: attrs}
}

func (l *logSink) WithGroup(string) slog.Handler { return l }

// childSink is a logSink with attributes, sharing the root's records.
type childSink struct {
	root  *logSink
	attrs []slog.Attr
}

func (c *childSink) Enabled(context.Context, slog.Level) bool { return true }

func (c *childSink) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(c.attrs...)
	return c.root.Handle(ctx, r)
}

func (c *childSink) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &childSink{root: c.root, attrs: append(slices.Clone(c.attrs), attrs...)}
}

func (c *childSink) WithGroup(string) slog.Handler { return c }

// has reports whether a log record contains every part.
func (l *logSink) has(parts ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, rec := range l.records {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(rec, p)
		}
		if all {
			return true
		}
	}
	return false
}

// count returns how many log records contain every part.
func (l *logSink) count(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, rec := range l.records {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(rec, p)
		}
		if all {
			n++
		}
	}
	return n
}

// info returns the listing entry of id, failing the test when unknown.
func (h *host) info(id string) manager.Info {
	h.t.Helper()
	in, ok := h.m.Info(id)
	if !ok {
		h.t.Fatalf("plugin %q not listed", id)
	}
	return in
}

// state returns id's lifecycle state.
func (h *host) state(id string) manager.State {
	h.t.Helper()
	s, ok := h.m.State(id)
	if !ok {
		h.t.Fatalf("plugin %q not listed", id)
	}
	return s
}

func (h *host) wantState(id string, want manager.State) {
	h.t.Helper()
	if got := h.state(id); got != want {
		h.t.Errorf("plugin %q is %s, want %s (error: %v)", id, got, want, h.m.Err(id))
	}
}

// wantDisabled checks that plugin id is disabled as an operator's disable
// leaves it in this tier: loaded and disabled, or, in a tier that unloads
// disabled plugins, not loaded (found).
func (h *host) wantDisabled(id string) {
	h.t.Helper()
	if h.props.UnloadWhenDisabled {
		h.wantState(id, manager.StateFound)
		return
	}
	h.wantState(id, manager.StateDisabled)
}

// orderedCalls dispatches conformance.ordered through the typed hot path and
// returns what each handler returned.
func (h *host) orderedCalls() []string {
	var out []string
	h.ordered.Call(func(hd hooks.Handler[probe.StringHook]) { out = append(out, hd.Fn()) })
	return out
}

// handlerPlugins lists the plugins of a hook's handlers, in call order.
func (h *host) handlerPlugins(hook string) []string {
	var out []string
	for _, e := range h.m.Hooks().Handlers(hook) {
		out = append(out, e.Plugin)
	}
	return out
}

// wantLifecycleErr checks that err is a *manager.LifecycleError for plugin
// and phase.
func wantLifecycleErr(t *testing.T, err error, plugin string, phase manager.Phase) *manager.LifecycleError {
	t.Helper()
	var le *manager.LifecycleError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *LifecycleError", err, err)
	}
	if le.Plugin != plugin || le.Phase != phase {
		t.Fatalf("error names plugin %q phase %q, want %q %q: %v", le.Plugin, le.Phase, plugin, phase, err)
	}
	return le
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// wantNothingRegistered checks that a plugin left no hook handler, helper,
// mixin implementation, settings overlay or defaults behind.
func (h *host) wantNothingRegistered(id string) {
	h.t.Helper()
	if names := h.m.Hooks().PluginHooks(id); len(names) != 0 {
		h.t.Errorf("%s still has handlers for %v", id, names)
	}
	if helpers := h.m.PluginManager().Helpers(id); helpers != nil {
		h.t.Errorf("%s still exports helpers %v", id, helpers)
	}
	for _, ms := range []tentacle.Mixin{startupMixin, assetMixin} {
		for _, impl := range h.m.Implementations(ms.Type, "") {
			if impl.Plugin == id {
				h.t.Errorf("%s still listed as a %s implementation", id, ms.Name())
			}
		}
	}
	if h.store.Has("plugins." + id + ".colour") {
		h.t.Errorf("%s's settings defaults are still registered", id)
	}
	if c := pluginContextOrNil(h, id); c != nil {
		h.t.Errorf("%s still has a context", id)
	}
}

// helperAs returns plugin id's helper name as a function of type T, the
// way any plugin gets one (tentacle.PluginManager.Helper), whichever tier
// runs it.
func helperAs[T any](h *host, id, name string) (T, error) {
	var fn T
	err := h.m.PluginManager().Helper(id, name, &fn)
	return fn, err
}

func pluginContextOrNil(h *host, id string) *tentacle.Context {
	p, ok := h.m.Plugin(id)
	if !ok {
		return nil
	}
	return p.Context()
}

func pluginContext(t *testing.T, h *host, id string) *tentacle.Context {
	t.Helper()
	c := pluginContextOrNil(h, id)
	if c == nil {
		t.Fatalf("%s has no context", id)
	}
	return c
}
