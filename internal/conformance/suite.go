// Package conformance is the lifecycle conformance suite: the same tests run
// against every plugin tier. A tier's tests call [Run] with a [Tier] that
// turns the fixture plugins under testdata/plugins into plugins of that tier;
// the builtin tier's adapter is [Builtin].
//
// The fixtures talk to the suite through package probe: they record what
// the host made them do and fail (error or panic) where a test tells them to.
package conformance

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
)

// Tier adapts one plugin tier to the suite.
type Tier interface {
	// Name is the tier's name, as listings show it (tier.BuiltinTier, ...).
	Name() string
	// Source returns a source providing the named fixtures (folders under
	// [FixtureDir]) as plugins of this tier, not bundled, with a Remove that
	// deletes them.
	Source(t testing.TB, fixtures ...string) tier.Source
}

// Mutable is implemented by a tier adapter whose sources can change what
// they provide after they were made, as a plugins folder can: the rescan
// tests need it and are skipped for adapters without it. src is always a
// source the adapter's Source returned.
type Mutable interface {
	// Put makes src provide the code of fixture (a folder under
	// [FixtureDir]) as plugin id: it adds id, or replaces its code, so that
	// the next scan finds it changed (another digest) unless it is the code
	// id already had. Putting a fixture back after another one restores the
	// first digest.
	Put(t testing.TB, src tier.Source, id, fixture string)
	// Delete makes src stop providing plugin id, as deleting its files does.
	Delete(t testing.TB, src tier.Source, id string)
}

// FixtureDir returns the folder of the fixture plugins, one package each.
func FixtureDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "plugins")
}

// Hook names the suite declares.
const (
	HookStartup  = "conformance.startup"
	HookOrdered  = "conformance.ordered"
	HookObsolete = "conformance.obsolete"
	HookRestart  = "conformance.restart.thing"
)

var (
	startupMixin = manager.Mixin[probe.Startup]("StartupPlugin", false, false)
	assetMixin   = manager.Mixin[probe.Asset]("AssetPlugin", true, false)
)

// host is one manager under test with everything the tests look at.
type host struct {
	t        *testing.T
	m        *manager.Manager
	store    *settings.Store
	dir      string
	ordered  *hooks.Hook[probe.StringHook]
	startup  *hooks.Hook[probe.StringHook]
	tierName string
	logs     *logSink
	src      tier.Source // the tier's source of the fixtures
	shadow   tier.Source // the tier's second source (setup.shadowing), or nil
}

// setup configures a host before it is made.
type setup struct {
	fixtures   []string // of the tier under test
	bundled    []string // fixtures as bundled builtin plugins, scanned first
	shadowing  []string // fixtures as a second, later source of the tier
	config     string   // config.yaml contents
	safeMode   bool
	blocklist  []manager.BlockEntry
	quarantine map[string]string
	trace      func(manager.TraceEvent)
	noStart    bool
	// wrap, if set, wraps the tier's source of the fixtures (h.src stays
	// the unwrapped one).
	wrap func(tier.Source) tier.Source
}

// newHost makes a manager over fixtures of tier tr and starts it. Cleanup
// shuts it down and checks that no goroutine was leaked.
func newHost(t *testing.T, tr Tier, s setup) *host {
	t.Helper()
	probe.Reset()
	leaks := goleak.IgnoreCurrent()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	if s.config != "" {
		writeFile(t, cfgPath, s.config)
	}
	store, err := settings.Open(cfgPath, map[string]any{"server": map[string]any{"colour": "grey"}})
	var perr *settings.ParseError
	if err != nil && !errors.As(err, &perr) {
		t.Fatalf("open settings: %v", err)
	}
	logs := &logSink{t: t}
	var sources []tier.Source
	if len(s.bundled) > 0 {
		sources = append(sources, tier.Definitions("bundled", true, builtinDefs(t, s.bundled...)))
	}
	src := tr.Source(t, s.fixtures...)
	if s.wrap != nil {
		sources = append(sources, s.wrap(src))
	} else {
		sources = append(sources, src)
	}
	var shadow tier.Source
	if len(s.shadowing) > 0 {
		shadow = tr.Source(t, s.shadowing...)
		sources = append(sources, shadow)
	}
	m, err := manager.New(manager.Options{
		Sources:        sources,
		BaseDir:        dir,
		Settings:       store,
		Hooks:          hooks.Options{RestartNeeding: []string{"conformance.restart.*"}},
		Mixins:         []manager.MixinSpec{startupMixin, assetMixin},
		SafeMode:       s.safeMode,
		SafeModeReason: "test",
		Blocklist:      s.blocklist,
		Quarantine:     s.quarantine,
		Trace:          s.trace,
		Logger:         slog.New(logs),
	})
	if err != nil {
		t.Fatalf("new manager: %v", err)
	}
	reg := m.Hooks()
	h := &host{t: t, m: m, store: store, dir: dir, tierName: tr.Name(), logs: logs, src: src, shadow: shadow}
	h.startup = hooks.MustDeclare[probe.StringHook](reg, hooks.Spec{Name: HookStartup})
	h.ordered = hooks.MustDeclare[probe.StringHook](reg, hooks.Spec{Name: HookOrdered})
	hooks.MustDeclare[probe.StringHook](reg, hooks.Spec{Name: HookObsolete, Obsolete: "use " + HookOrdered})
	hooks.MustDeclare[probe.StringHook](reg, hooks.Spec{Name: HookRestart})
	m.Inject("custom", "custom value")
	m.InjectFactory("per_plugin", func(info tentacle.PluginInfo) (any, error) {
		return "made for " + info.Identifier, nil
	})
	t.Cleanup(func() {
		if err := m.Shutdown(context.Background()); err != nil {
			t.Logf("shutdown: %v", err)
		}
		goleak.VerifyNone(t, leaks)
	})
	if !s.noStart {
		// Errors of single plugins are part of what tests check.
		_ = m.Start(context.Background())
	}
	return h
}

// Run runs the whole conformance suite against tr.
func Run(t *testing.T, tr Tier) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, tr) })
	}
}

type test struct {
	name string
	fn   func(t *testing.T, tr Tier)
}

var tests []test

// register adds tests to the suite; each file of the suite registers its
// own in init.
func register(ts ...test) { tests = append(tests, ts...) }
