package process_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// greeterSource is a source plugin that handles the hook the crosstier
// process plugin defines and calls that plugin's helper, as typed
// functions, as a compiled-in plugin would.
const greeterSource = `package greeter

import "github.com/tentacle-go/tentacle"

type Greeter struct{ tentacle.Base }

var impl = &Greeter{}

func greet(name string) string {
	if name == "" {
		panic("the greeter greets no one")
	}
	return "hello " + name + " from source"
}

// quadruple calls the process plugin's helper twice.
func quadruple(n int) (int, error) {
	var double func(int) int
	if err := impl.PluginManager().Helper("crosstier", "double", &double); err != nil {
		return 0, err
	}
	return double(double(n)), nil
}

var Plugin = tentacle.Definition{
	Name:           "Greeter",
	Version:        "1.0.0",
	Implementation: impl,
	Hooks:          tentacle.Hooks{"tentacle.plugin.crosstier.greet": greet},
	Helpers:        tentacle.Helpers{"quadruple": quadruple},
}
`

// TestCrossTierCalls runs source plugins (the documentation's weather
// example and a greeter) and a process plugin side by side, each calling
// the others' hook handlers and helpers with the typed calls every plugin
// makes: the weather example calls the process plugin's handler of its
// notes hook, the process plugin calls the source greeter's handler of its
// own hook and the weather example's helper, and the greeter calls the
// process plugin's helper.
func TestCrossTierCalls(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	base := t.TempDir()
	plugins := filepath.Join(base, "plugins")
	copyTree(t, filepath.Join("..", "..", "docs", "examples", "weather"), filepath.Join(plugins, "weather"))
	writeFile(t, filepath.Join(plugins, "greeter.go"), greeterSource)
	pkgs := filepath.Join(base, "packages")
	install(t, pkgs, "crosstier", "crosstier")

	store, err := settings.Open(filepath.Join(base, "config.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{
		Origins:  []tier.Origin{source.New(plugins, source.Options{}), process.New(pkgs, process.Options{})},
		BaseDir:  base,
		Settings: store,
		Mixins:   server.Mixins(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		goleak.VerifyNone(t, leaks)
	}()
	for id, want := range map[string]string{"weather": tier.SourceTier, "greeter": tier.SourceTier, "crosstier": tier.ProcessTier} {
		if in, _ := m.Info(id); !in.Enabled || in.Tier != want || in.Error != nil {
			t.Fatalf("%s: enabled %v, tier %s, error %v; want enabled in tier %s", id, in.Enabled, in.Tier, in.Error, want)
		}
	}

	// The source plugin calls the process plugin's handler of the hook it
	// defines (before, it dropped it as a handler of the wrong type).
	p, _ := m.Plugin("weather")
	api, ok := manager.As[server.SimpleAPI](p)
	if !ok {
		t.Fatal("weather is not a SimpleAPI plugin")
	}
	if _, err := api.OnAPICommand("refresh", map[string]any{"command": "refresh"}); err != nil {
		t.Fatal(err)
	}
	bp, ok := manager.As[server.Blueprint](p)
	if !ok {
		t.Fatal("weather is not a Blueprint plugin")
	}
	rec := httptest.NewRecorder()
	bp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/current", nil))
	var reading struct {
		City  string   `json:"city"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reading); err != nil || !slices.ContainsFunc(reading.Notes, func(n string) bool {
		return strings.HasPrefix(n, "noted by a process: "+reading.City)
	}) {
		t.Errorf("GET /current = %d %s; want a note of the process plugin", rec.Code, rec.Body)
	}

	pm := m.PluginManager()
	// The process plugin calls the source plugin's handler of its own hook.
	var greetAll func(string) ([]string, error)
	if err := pm.Helper("crosstier", "greetAll", &greetAll); err != nil {
		t.Fatal(err)
	}
	if got, err := greetAll("Ada"); err != nil || !slices.Equal(got, []string{"hello Ada from source"}) {
		t.Errorf("greetAll(Ada) = %q, %v", got, err)
	}
	// ... and the source plugin's helper.
	var askWeather func() (string, error)
	if err := pm.Helper("crosstier", "askWeather", &askWeather); err != nil {
		t.Fatal(err)
	}
	if got, err := askWeather(); err != nil || !strings.HasPrefix(got, reading.City+": ") {
		t.Errorf("askWeather() = %q, %v; want weather's description of %s", got, err, reading.City)
	}
	// The source plugin calls the process plugin's helper.
	var quadruple func(int) (int, error)
	if err := pm.Helper("greeter", "quadruple", &quadruple); err != nil {
		t.Fatal(err)
	}
	if got, err := quadruple(5); got != 20 || err != nil {
		t.Errorf("quadruple(5) = %d, %v", got, err)
	}

	// A panic in another tier's code that a plugin calls is the fault of
	// that code's plugin: the caller gets the zero value and goes on.
	faults := func(id string) (int64, string) {
		in, _ := m.Info(id)
		return in.Faults, in.LastFault
	}
	if got, err := greetAll(""); err != nil || !slices.Equal(got, []string{""}) {
		t.Errorf("greetAll() with the source handler panicking = %q, %v; want the zero value", got, err)
	}
	if n, last := faults("greeter"); n != 1 || !strings.Contains(last, "hook tentacle.plugin.crosstier.greet: panic: the greeter greets no one") {
		t.Errorf("greeter: %d faults, last %q; want its handler's panic", n, last)
	}
	if n, last := faults("crosstier"); n != 0 {
		t.Errorf("crosstier: %d faults, last %q; want none", n, last)
	}
	if got, err := quadruple(-1); got != 0 || err != nil {
		t.Errorf("quadruple(-1) with the process helper panicking = %d, %v; want 0 (double(0) of the zero value)", got, err)
	}
	if n, last := faults("crosstier"); n != 1 || !strings.Contains(last, "call helper double: panic: crosstier doubles no negative number") {
		t.Errorf("crosstier: %d faults, last %q; want its helper's panic", n, last)
	}
	if n, last := faults("greeter"); n != 1 {
		t.Errorf("greeter: %d faults, last %q; want only its handler's", n, last)
	}
}

// copyTree copies the files of folder src into dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), string(data))
	}
}
