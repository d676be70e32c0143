package process_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
	"github.com/tentacle-go/tentacle/internal/transport"
	"github.com/tentacle-go/tentacle/sdk"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
)

// TestConformance runs the lifecycle conformance suite against the process
// tier: the very tests the builtin and source tiers run, with every fixture
// plugin a process of its own. Its direct calls go through shared channels
// where the system has them (Linux).
func TestConformance(t *testing.T) {
	conformance.Run(t, processTier{})
}

// TestConformanceOverFrames runs the suite again with direct calls as
// frames over their sockets, the shared channels turned off.
func TestConformanceOverFrames(t *testing.T) {
	t.Setenv(transport.SharedMemoryEnv, "off") // inherited by the plugins
	conformance.Run(t, processTier{})
}

// TestConformanceLegacy runs the suite again with the fixtures built with
// the SDK's tentacle_grpc build tag: executables that speak the earlier
// protocol (go-plugin and gRPC, direct calls beside), as plugins built with
// earlier SDKs do, which the host starts that way.
func TestConformanceLegacy(t *testing.T) {
	conformance.Run(t, processTier{build: &legacyFixtureExes})
}

// TestConformanceOverGRPC runs the suite again with plugins of the
// earlier protocol that offer no direct calls, as a plugin in another
// language may: every call goes over gRPC.
func TestConformanceOverGRPC(t *testing.T) {
	t.Setenv(sdk.DirectCallsEnv, "off") // inherited by the plugins
	conformance.Run(t, processTier{build: &legacyFixtureExes})
}

// TestMain removes the conformance fixtures' executables once the
// package's tests ran.
func TestMain(m *testing.M) {
	code := m.Run()
	fixtureExes.cleanup()
	legacyFixtureExes.cleanup()
	os.Exit(code)
}

// processTier runs the conformance fixtures as process plugins: each is put
// into a packages folder of its own as <id>/, with an executable serving the
// fixture and its plugin.yaml. not_a_plugin is a package folder without a
// manifest (its executable would serve nothing), which the process tier
// lists as not a plugin.
type processTier struct {
	build *fixtureBuild // the fixtures' executables; nil: fixtureExes
}

// exes is the build of the fixtures' executables the tier runs.
func (p processTier) exes() *fixtureBuild {
	if p.build == nil {
		return &fixtureExes
	}
	return p.build
}

var (
	_ conformance.Mutable   = processTier{}
	_ conformance.Describer = processTier{}
	_ conformance.Processes = processTier{}
)

func (processTier) Name() string { return tier.ProcessTier }

// Properties implements conformance.Describer: the plugins run in
// processes of their own, and of the host's injectables only those whose
// methods can cross reach them (the event bus and the messenger); a call of
// a handler of conformance.HookSlow is abandoned after slowHookDeadline.
func (processTier) Properties() conformance.Properties {
	return conformance.Properties{
		OwnProcess:         true,
		UnloadWhenDisabled: true,
		Injectables:        []string{server.InjectEventBus, server.InjectMessages},
		HookDeadline:       slowHookDeadline,
	}
}

// slowHookDeadline is the deadline of conformance.HookSlow's handlers.
const slowHookDeadline = 250 * time.Millisecond

// fixturePackages is a packages folder source that knows its folder, so that the
// rescan tests can change what it provides and the suite can look for the
// processes started from it.
type fixturePackages struct {
	tier.Origin
	dir string // with symbolic links resolved, as /proc shows executables
}

// IsolatesPlugins: the packages folder's plugins run in processes of their
// own, as process.New's do.
func (*fixturePackages) IsolatesPlugins() {}

var _ tier.Isolating = (*fixturePackages)(nil)

func (p processTier) Origin(t testing.TB, fixtures ...string) tier.Origin {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range fixtures {
		putFixture(t, p.exes(), dir, name, name)
	}
	return &fixturePackages{Origin: process.New(dir, fixtureOptions()), dir: dir}
}

// fixtureOptions are the tier's options for the suite: the host's side of the
// probe, a hook deadline the suite does not test (the default 250 ms is too
// short for many processes under the race detector on a small machine),
// and the deadline of conformance.HookSlow, which it does.
func fixtureOptions() process.Options {
	return process.Options{
		HookTimeout:  10 * time.Second,
		HookTimeouts: map[string]time.Duration{conformance.HookSlow: slowHookDeadline},
		Functions: map[string]func(json.RawMessage) (any, error){
			"probe." + probe.OpRecord: func(args json.RawMessage) (any, error) {
				plugin, what, err := twoStrings(args)
				if err != nil {
					return nil, err
				}
				probe.Record(plugin, what)
				return nil, nil
			},
			"probe." + probe.OpFault: func(args json.RawMessage) (any, error) {
				plugin, point, err := twoStrings(args)
				if err != nil {
					return nil, err
				}
				return probe.Reach(plugin, point), nil
			},
		},
	}
}

func twoStrings(args json.RawMessage) (string, string, error) {
	var s []string
	if err := json.Unmarshal(args, &s); err != nil || len(s) != 2 {
		return "", "", fmt.Errorf("want two strings, got %s", args)
	}
	return s[0], s[1], nil
}

// Put implements conformance.Mutable: the package folder id gets fixture's
// executable and manifest, replacing what was there. Every fixture has an
// executable of its own (with its own SHA-256, the manifest's digest), so a
// change of fixture is a change of code.
func (p processTier) Put(t testing.TB, src tier.Origin, id, fixture string) {
	t.Helper()
	dir := src.(*fixturePackages).dir
	if err := os.RemoveAll(filepath.Join(dir, id)); err != nil {
		t.Fatal(err)
	}
	putFixture(t, p.exes(), dir, id, fixture)
}

// Delete implements conformance.Mutable: it removes the package folder.
func (processTier) Delete(t testing.TB, src tier.Origin, id string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(src.(*fixturePackages).dir, id)); err != nil {
		t.Fatal(err)
	}
}

// Running implements conformance.Processes: the processes whose executable
// is (or was, before a Put or Delete removed it) in src's packages folder.
// It reads /proc; where there is none, it finds nothing.
func (processTier) Running(src tier.Origin) []string {
	prefix := src.(*fixturePackages).dir + string(filepath.Separator)
	des, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []string
	for _, de := range des {
		if _, err := strconv.Atoi(de.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", de.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, prefix) {
			out = append(out, fmt.Sprintf("pid %s (%s)", de.Name(), exe))
		}
	}
	return out
}

// putFixture makes <dir>/<id>/ the package of fixture as plugin id: its executable
// tentacle-plugin-<fixture> (a hard link to the fixture's, or a copy) and,
// for a fixture that declares a plugin, plugin.yaml.
func putFixture(t testing.TB, b *fixtureBuild, dir, id, fixture string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(conformance.FixtureDir(), fixture)); err != nil {
		t.Fatalf("no fixture %q: %v", fixture, err)
	}
	fx := b.get(t, fixture)
	pkg := filepath.Join(dir, id)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := process.ExecutablePrefix + fixture
	if err := linkFixture(fx.path, filepath.Join(pkg, exe)); err != nil {
		t.Fatal(err)
	}
	if fx.meta == nil {
		return // not_a_plugin: no manifest declares the folder a plugin
	}
	m := *fx.meta
	m.ID, m.Executable, m.SHA256 = id, exe, fx.sha
	data, err := yaml.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, process.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func linkFixture(from, to string) error {
	if err := os.Link(from, to); err == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// fixtureExes is the fixture executable, built once for the package's
// tests, and the executable of each fixture made from it;
// legacyFixtureExes the same built to speak the earlier protocol.
var (
	fixtureExes       fixtureBuild
	legacyFixtureExes = fixtureBuild{tags: legacyTags}
)

type fixtureBuild struct {
	tags string // the build tags; "" for none
	once sync.Once
	exe  string // the built executable, in a cache folder that is kept
	dir  string // temporary: the fixtures' executables
	err  error

	mu       sync.Mutex
	fixtures map[string]*fixtureExe
}

// fixtureExe is the executable of one fixture.
type fixtureExe struct {
	path string
	sha  string
	meta *process.Manifest // its metadata; nil for not_a_plugin
}

// build builds testdata/conformance, once, with the go command on PATH,
// into a cache folder of the user's that is kept (as the other test
// plugins are, see bin): the go command relinks it only when something
// changed.
func (b *fixtureBuild) build(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		cache := testPluginCache()
		if b.err = os.MkdirAll(cache, 0o755); b.err != nil {
			return
		}
		if b.dir, b.err = os.MkdirTemp("", "tentacle-conformance-"); b.err != nil {
			return
		}
		b.exe = filepath.Join(cache, "conformance-fixtures"+b.tags)
		cmd := exec.Command("go", "build", "-tags="+b.tags, "-ldflags=-s -w", "-o", b.exe, "./testdata/conformance")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build ./testdata/conformance: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.exe
}

// get returns fixture's executable: the built one with the fixture's name
// appended (which the executable ignores), so that every fixture has
// contents and a SHA-256 of its own, as different plugins' executables
// have, and its manifest, from what it describes of itself.
func (b *fixtureBuild) get(t testing.TB, fixture string) *fixtureExe {
	t.Helper()
	exe := b.build(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	if fx, ok := b.fixtures[fixture]; ok {
		return fx
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "\ntentacle conformance fixture "+fixture+"\n"...)
	dir := filepath.Join(b.dir, fixture)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fx := &fixtureExe{path: filepath.Join(dir, process.ExecutablePrefix+fixture)}
	if err := os.WriteFile(fx.path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if fx.sha, err = process.FileSHA256(fx.path); err != nil {
		t.Fatal(err)
	}
	// Described as tentacle plugins pack describes a plugin, against the
	// mixins of the suite's hosts: the manifest declares what the fixture
	// implements, as pack writes it.
	m, err := process.Describe(context.Background(), fx.path, 30*time.Second,
		append(tentacle.Mixins(), conformance.Mixins()...)...)
	switch {
	case err != nil && strings.Contains(err.Error(), "declares no plugin"):
		// not_a_plugin: no manifest
	case err != nil:
		t.Fatalf("describe fixture %s: %v", fixture, err)
	default:
		fx.meta = m
	}
	if b.fixtures == nil {
		b.fixtures = make(map[string]*fixtureExe)
	}
	b.fixtures[fixture] = fx
	return fx
}

func (b *fixtureBuild) cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}
