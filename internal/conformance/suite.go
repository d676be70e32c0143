// Package conformance is the lifecycle conformance suite: the same tests run
// against every plugin tier. A tier's tests call [Run] with a [Tier] that
// turns the fixture plugins under testdata/plugins into plugins of that tier;
// the builtin tier's adapter is [Builtin]. An adapter states where its tier
// differs in ways the tests depend on ([Describer], [Properties]); the tests
// then check what is true for that tier rather than skip. One whose plugins
// run in processes of their own lets the suite check that none is left
// running after each test ([Processes]).
//
// The fixtures talk to the suite through package probe: they record what
// the host made them do and fail (error or panic) where a test tells them to.
package conformance

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

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
	// Origin returns an origin providing the named fixtures (folders under
	// [FixtureDir]) as plugins of this tier, not bundled, with a Remove that
	// deletes them.
	Origin(t testing.TB, fixtures ...string) tier.Origin
}

// Properties are what sets a tier apart where the suite's expectations
// depend on it. The zero value is the builtin tier's: the plugin's code runs
// in the host's process, as the functions its definition holds. A test whose
// expectation differs by tier checks, for each tier, what is true of it; none
// is skipped for a tier.
type Properties struct {
	// OwnProcess: each plugin runs in a process of its own (the process
	// tier). The goroutines it starts run there: the host can neither count
	// them (no host goroutine carries the plugin's label) nor leak them
	// (they end with the process when the plugin is unloaded).
	OwnProcess bool
	// UnloadWhenDisabled: an operator's disable at runtime also unloads
	// the plugin (tier.Candidate.UnloadWhenDisabled), which is then
	// listed as a plugin disabled at start is (state found), and its next
	// enable loads it again.
	UnloadWhenDisabled bool
	// Injectables, when not nil, names the only host injectables that reach
	// the plugin's context: a plugin in a process of its own gets those its
	// tier carries across (the process tier: the event bus and the
	// messenger), not the host's other Go values, which are nil there. nil:
	// every injectable reaches it.
	Injectables []string
	// HookDeadline is how long the tier lets one call of a handler of
	// [HookSlow] take before it abandons the call (the adapter sets it, as
	// an operator sets a hook's deadline). Zero: the tier abandons no call,
	// which runs to its end.
	HookDeadline time.Duration
}

// reaches reports whether the host's injectable name reaches the plugins
// of a tier with these properties.
func (p Properties) reaches(injectable string) bool {
	return p.Injectables == nil || slices.Contains(p.Injectables, injectable)
}

// Describer is implemented by adapters whose tier's [Properties] are not
// the zero value.
type Describer interface {
	Properties() Properties
}

// properties returns tr's properties.
func properties(tr Tier) Properties {
	if d, ok := tr.(Describer); ok {
		return d.Properties()
	}
	return Properties{}
}

// Processes is implemented by adapters of tiers that run plugins in
// processes of their own. Once a test's host is shut down, the suite checks
// that none of its sources' plugin processes is left running, as it checks
// the host's goroutines with goleak.
type Processes interface {
	// Running describes the plugin processes running from src's plugins
	// (src is a source the adapter's Origin returned); none when empty.
	Running(src tier.Origin) []string
}

// Mutable is implemented by a tier adapter whose sources can change what
// they provide after they were made, as a plugins folder can: the rescan
// tests need it and are skipped for adapters without it. src is always a
// source the adapter's Origin returned.
type Mutable interface {
	// Put makes src provide the code of fixture (a folder under
	// [FixtureDir]) as plugin id: it adds id, or replaces its code, so that
	// the next scan finds it changed (another digest) unless it is the code
	// id already had. Putting a fixture back after another one restores the
	// first digest.
	Put(t testing.TB, src tier.Origin, id, fixture string)
	// Delete makes src stop providing plugin id, as deleting its files does.
	Delete(t testing.TB, src tier.Origin, id string)
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

// Hooks the definer fixture defines for itself (no host declares them) and
// whose handlers it calls; the faulty fixture handles them.
const (
	HookNote    = "tentacle.plugin.definer.note"    // func(string) string
	HookChecked = "tentacle.plugin.definer.checked" // func(string) (string, error)
	HookSlow    = "tentacle.plugin.definer.slow"    // func(duration string) string: sleeps that long
)

// The suite's own mixins, declared as any host declares its mixins: once,
// here, with their proxies. Nothing else (no tier, no SDK) knows them, yet
// they reach a plugin of every tier.
var (
	startupMixin = tentacle.Mixin{Type: reflect.TypeFor[probe.Startup](), OctoPrint: "StartupPlugin",
		Proxy: func(c tentacle.RemoteCaller) any { return startupProxy{c} }}
	assetMixin = tentacle.Mixin{Type: reflect.TypeFor[probe.Asset](), OctoPrint: "AssetPlugin", RestartNeeding: true,
		Proxy: func(c tentacle.RemoteCaller) any { return assetProxy{c} }}
)

// Mixins returns the suite's own mixins (a startup mixin, and an asset
// mixin that is restart-needing), as its hosts pass them to
// manager.Options.Mixins: what an adapter describes a plugin against when
// it needs what a host of the suite would detect (a process plugin's
// manifest says which it implements).
func Mixins() []tentacle.Mixin { return []tentacle.Mixin{startupMixin, assetMixin} }

type startupProxy struct{ c tentacle.RemoteCaller }

func (p startupProxy) OnStartup(host string, port int) { _ = p.c.Call("OnStartup", []any{host, port}) }

type assetProxy struct{ c tentacle.RemoteCaller }

func (p assetProxy) Assets() (assets map[string][]string) {
	_ = p.c.Call("Assets", nil, &assets)
	return assets
}

// host is one manager under test with everything the tests look at.
type host struct {
	t        *testing.T
	m        *manager.Manager
	store    *settings.Store
	dir      string
	ordered  *hooks.Hook[probe.StringHook]
	startup  *hooks.Hook[probe.StringHook]
	tierName string
	props    Properties // the tier's
	logs     *logSink
	src      tier.Origin // the tier's source of the fixtures
	shadow   tier.Origin // the tier's second source (setup.shadowing), or nil
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
	wrap func(tier.Origin) tier.Origin
}

// newHost makes a manager over fixtures of tier tr and starts it. Cleanup
// shuts it down and checks that no goroutine was leaked.
func newHost(t *testing.T, tr Tier, s setup) *host {
	t.Helper()
	probe.Reset()
	beginLeakCheck(t)
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
	var sources []tier.Origin
	if len(s.bundled) > 0 {
		sources = append(sources, tier.Definitions("bundled", true, builtinDefs(t, s.bundled...)))
	}
	src := tr.Origin(t, s.fixtures...)
	if s.wrap != nil {
		sources = append(sources, s.wrap(src))
	} else {
		sources = append(sources, src)
	}
	var shadow tier.Origin
	if len(s.shadowing) > 0 {
		shadow = tr.Origin(t, s.shadowing...)
		sources = append(sources, shadow)
	}
	m, err := manager.New(manager.Options{
		Origins:        sources,
		BaseDir:        dir,
		Settings:       store,
		Hooks:          hooks.Options{RestartNeeding: []string{"conformance.restart.*"}},
		Mixins:         Mixins(),
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
	h := &host{t: t, m: m, store: store, dir: dir, tierName: tr.Name(), props: properties(tr), logs: logs, src: src, shadow: shadow}
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
		// Every state change the test caused was one the lifecycle's
		// table allows.
		if n := m.StateErrors(); n != 0 {
			t.Errorf("%d state changes the lifecycle does not allow: %d logged", n, h.logs.count("manager bug"))
		}
		endLeakCheck(t)
		h.wantNoProcesses(tr)
	})
	if !s.noStart {
		// Errors of single plugins are part of what tests check.
		_ = m.Start(context.Background())
	}
	return h
}

// leakChecks are the goroutine-leak checks of the tests under way. A test
// may make several hosts; its goroutines are checked once, when its last
// host has been shut down, against those that ran before its first host was
// made. (A check per host, made while another host of the same test still
// runs, would count the goroutines that host starts meanwhile, such as the
// servers a plugin process's connection gets a moment after it is made.)
var leakChecks = struct {
	sync.Mutex
	byTest map[*testing.T]*leakCheck
}{byTest: map[*testing.T]*leakCheck{}}

type leakCheck struct {
	before goleak.Option // the goroutines before the test's first host
	hosts  int           // hosts of the test not shut down yet
}

// beginLeakCheck records a new host of test t.
func beginLeakCheck(t *testing.T) {
	leakChecks.Lock()
	defer leakChecks.Unlock()
	lc := leakChecks.byTest[t]
	if lc == nil {
		lc = &leakCheck{before: goleak.IgnoreCurrent()}
		leakChecks.byTest[t] = lc
	}
	lc.hosts++
}

// endLeakCheck records that a host of test t has been shut down, and
// checks for leaked goroutines once it was the last.
func endLeakCheck(t *testing.T) {
	leakChecks.Lock()
	lc := leakChecks.byTest[t]
	lc.hosts--
	last := lc.hosts == 0
	if last {
		delete(leakChecks.byTest, t)
	}
	leakChecks.Unlock()
	if last {
		goleak.VerifyNone(t, lc.before)
	}
}

// wantNoProcesses checks, for adapters that implement [Processes], that no
// plugin process of the host's sources runs, giving processes that were
// told to stop a moment to go.
func (h *host) wantNoProcesses(tr Tier) {
	h.t.Helper()
	pt, ok := tr.(Processes)
	if !ok {
		return
	}
	running := func() []string {
		var out []string
		for _, src := range []tier.Origin{h.src, h.shadow} {
			if src != nil {
				out = append(out, pt.Running(src)...)
			}
		}
		return out
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := running()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Errorf("plugin processes left running: %v", left)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
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
