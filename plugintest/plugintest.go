// Package plugintest runs a plugin the way a host does, for its author's
// tests, in the spirit of go-plugin's TestPluginGRPCConn: a real manager
// over a temporary base directory, with the plugin's logs captured.
//
//	func TestHello(t *testing.T) {
//		h := plugintest.New(t, "hello", &Plugin, plugintest.Options{})
//		if err := h.Err(); err != nil {
//			t.Fatal(err)
//		}
//		greet := h.Helper("greet").(func(string) string)
//		...
//	}
//
// [NewSource] runs a source plugin the same way, from a plugins folder
// through the interpreter, as the tentacle server runs it; [NewProcess] runs
// a process plugin, built from its main package and installed into the test
// host's packages folder, so that its test crosses the process boundary as
// the plugin will.
package plugintest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// Options configure a [Harness]. The zero value runs the plugin alone with
// no host hooks or mixins.
type Options struct {
	// Config is the initial contents of config.yaml.
	Config string
	// Specs are the host's hooks, declared before Declare runs:
	// server.Hooks() for a plugin of the tentacle server, as Mixins are
	// server.Mixins().
	Specs []hooks.Spec
	// Declare declares the host hooks the plugin registers handlers for.
	// A handler for an undeclared hook makes the enable fail, as it would in
	// a host.
	Declare func(r *hooks.Registry)
	// Hooks configures the hook registry (restart-needing patterns, ...).
	Hooks hooks.Options
	// Mixins are the host mixins to detect.
	Mixins []tentacle.Mixin
	// Injected are host injectables, by name.
	Injected map[string]any
	// Others are more plugins to run alongside, by identifier.
	Others map[string]*tentacle.Definition
	// NoStart leaves the manager unstarted: call Harness.Manager.Start.
	NoStart bool
	// Process configures the process tier, for NewProcess: deadlines, and
	// the proxies of the host's own mixins.
	Process process.Options
	// Source configures the source tier, for NewSource: the host's own
	// packages that plugins may import (Symbols).
	Source source.Options
}

// Harness is one plugin running in a test host.
type Harness struct {
	// ID is the plugin's identifier.
	ID string
	// Manager, Settings and BaseDir are the test host's.
	Manager  *manager.Manager
	Settings *settings.Store
	BaseDir  string

	t    testing.TB
	logs *syncBuffer
}

// New starts a host running plugin def as id (plus opts.Others) and stops it
// when the test ends. It fails the test only for problems of the harness
// itself; the plugin's own errors are in [Harness.Err] and the listing.
func New(t testing.TB, id string, def *tentacle.Definition, opts Options) *Harness {
	t.Helper()
	dir := t.TempDir()
	store := openConfig(t, dir, opts)
	defs := map[string]*tentacle.Definition{id: def}
	return start(t, id, dir, store, []tier.Origin{tier.Definitions("plugintest", false, others(defs, opts))}, opts)
}

// others adds opts.Others to defs.
func others(defs map[string]*tentacle.Definition, opts Options) map[string]*tentacle.Definition {
	if defs == nil {
		defs = map[string]*tentacle.Definition{}
	}
	for oid, odef := range opts.Others {
		defs[oid] = odef
	}
	return defs
}

// start makes the test host over dir with sources and starts it unless
// opts.NoStart.
func start(t testing.TB, id, dir string, store *settings.Store, sources []tier.Origin, opts Options) *Harness {
	t.Helper()
	logs := &syncBuffer{}
	m, err := manager.New(manager.Options{
		Origins:  sources,
		BaseDir:  dir,
		Settings: store,
		Hooks:    opts.Hooks,
		Mixins:   opts.Mixins,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	if err := m.Hooks().DeclareAll(opts.Specs); err != nil {
		t.Fatalf("plugintest: %v", err)
	}
	if opts.Declare != nil {
		opts.Declare(m.Hooks())
	}
	for name, v := range opts.Injected {
		m.Inject(name, v)
	}
	h := &Harness{ID: id, Manager: m, Settings: store, BaseDir: dir, t: t, logs: logs}
	t.Cleanup(func() {
		if err := m.Shutdown(context.Background()); err != nil {
			t.Errorf("plugintest: shutdown: %v", err)
		}
	})
	if !opts.NoStart {
		_ = m.Start(context.Background())
	}
	return h
}

// openConfig writes opts.Config as dir's config.yaml, if set, and opens it.
func openConfig(t testing.TB, dir string, opts Options) *settings.Store {
	t.Helper()
	cfg := filepath.Join(dir, "config.yaml")
	if opts.Config != "" {
		if err := os.WriteFile(cfg, []byte(opts.Config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	store, err := settings.Open(cfg, nil)
	var perr *settings.ParseError
	if err != nil && !errors.As(err, &perr) {
		t.Fatalf("plugintest: %v", err)
	}
	return store
}

// Err returns the plugin's last lifecycle error, or nil.
func (h *Harness) Err() error { return h.Manager.Err(h.ID) }

// Info returns the plugin's listing entry.
func (h *Harness) Info() manager.Info {
	in, _ := h.Manager.Info(h.ID)
	return in
}

// Enable enables the plugin as an operator would.
func (h *Harness) Enable() (manager.Change, error) {
	return h.Manager.Enable(context.Background(), h.ID)
}

// Disable disables the plugin as an operator would.
func (h *Harness) Disable() (manager.Change, error) {
	return h.Manager.Disable(context.Background(), h.ID)
}

// Helper returns the plugin's helper name, or nil when it has none or is not
// enabled.
func (h *Harness) Helper(name string) any {
	return h.Manager.PluginManager().Helpers(h.ID, name)[name]
}

// Handlers returns the handlers of hook, in call order.
func (h *Harness) Handlers(hook string) []tentacle.HookEntry {
	return h.Manager.Hooks().Handlers(hook)
}

// Logs returns everything logged so far, one record per line.
func (h *Harness) Logs() string { return h.logs.String() }

// Logged reports whether a log record contains every part.
func (h *Harness) Logged(parts ...string) bool {
	for _, line := range strings.Split(h.logs.String(), "\n") {
		all := line != ""
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
