package source_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

// examples is the folder of the documentation's example source plugins.
var examples = filepath.Join("..", "..", "docs", "examples")

// TestWeatherExampleLints keeps the worked example of docs/howto-source.md honest:
// "tentacle plugins lint" must find nothing at all wrong with it.
func TestWeatherExampleLints(t *testing.T) {
	r := source.Lint(context.Background(), filepath.Join(examples, "weather"), source.LintOptions{Mixins: server.Mixins()})
	if !r.OK() || len(r.Problems) != 0 {
		t.Fatalf("lint of docs/examples/weather: ok %v, problems %+v", r.OK(), r.Problems)
	}
	if r.Name != "Weather" || len(r.Hooks) != 1 || r.Hooks[0] != "tentacle.plugin.weather.notes" {
		t.Errorf("lint report %+v", r)
	}
}

// TestWeatherExampleRuns runs the worked example as the server would: from
// a plugins folder, through a manager with the server's mixins, next to a
// compiled plugin that handles the hook the example defines, on settings of
// version 1 that it migrates, with a weather provider.
func TestWeatherExampleRuns(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("city") != "Berlin" || r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "wrong request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"celsius": -3.5}`))
	}))
	defer provider.Close()

	dir := t.TempDir()
	copyDir(t, examples, dir)
	basedir := t.TempDir()
	config := filepath.Join(basedir, "config.yaml")
	yaml := "plugins:\n  weather:\n    units: imperial\n    provider:\n      url: " + provider.URL + "\n      key: s3cret\n"
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := settings.Open(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	note := func(city string, celsius float64) string { return "noted " + city }
	m, err := manager.New(manager.Options{
		Origins: []tier.Origin{
			source.New(dir, source.Options{}),
			tier.Definitions("test", false, map[string]*tentacle.Definition{
				"noter": {Name: "Noter", Version: "1.0.0", Hooks: tentacle.Hooks{"tentacle.plugin.weather.notes": note}},
			}),
		},
		BaseDir:  basedir,
		Settings: store,
		Mixins:   server.Mixins(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The server's hooks, for docs/examples/m107 (under the OctoPrint
	// name of one, with a filter).
	if err := m.Hooks().DeclareAll(server.Hooks()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := m.Hooks().PluginHooks("m107"); len(got) != 1 || got[0] != server.HookGcodeQueuing {
		t.Errorf("m107's hooks = %q, want [%s]", got, server.HookGcodeQueuing)
	}
	if hs := m.Hooks().Handlers(server.HookGcodeQueuing); len(hs) != 1 || hs[0].Filter == nil {
		t.Errorf("m107's handler = %+v, want one with its filter", hs)
	} else if f, ok := hs[0].Filter.(server.Filter); !ok || len(f.Commands) != 1 || f.Commands[0] != "M107" {
		t.Errorf("m107's filter = %#v, want server.Filter{Commands: [M107]}", hs[0].Filter)
	}
	stopped := false
	defer func() {
		if !stopped {
			m.Shutdown(ctx)
		}
	}()

	in, ok := m.Info("weather")
	if !ok || in.State != manager.StateEnabled.String() || in.Error != nil || in.Tier != tier.SourceTier {
		t.Fatalf("weather: %+v", in)
	}
	for _, want := range []string{"server.Blueprint", "server.EventHandler", "tentacle.SettingsMigrator", "tentacle.SettingsPlugin", "server.SettingsRestricted", "server.SimpleAPI"} {
		if !contains(in.Mixins, want) {
			t.Errorf("weather's mixins %q lack %s", in.Mixins, want)
		}
	}

	// The simple API takes a reading, which the compiled plugin's handler
	// of the example's hook comments on.
	p, _ := m.Plugin("weather")
	api, ok := manager.As[server.SimpleAPI](p)
	if !ok {
		t.Fatal("weather is not a SimpleAPI plugin")
	}
	if _, err := api.OnAPICommand("refresh", map[string]any{"command": "refresh"}); err != nil {
		t.Fatal(err)
	}

	// The helper describes that reading.
	describe, ok := m.PluginManager().Helpers("weather", "describe")["describe"].(func() string)
	if !ok {
		t.Fatal("no describe helper of type func() string")
	}
	if got, want := describe(), "Berlin: 25.7 °F (frost in Berlin; noted Berlin)"; got != want {
		t.Errorf("describe() = %q, want %q", got, want)
	}
	// The migration turned units: imperial into unit: F.
	if u, v := store.Get("plugins.weather.unit"), store.Get("plugins.weather.units"); u != "F" || v != nil {
		t.Errorf("after the migration unit = %v, units = %v", u, v)
	}

	// The route serves it as JSON.
	bp, ok := manager.As[server.Blueprint](p)
	if !ok {
		t.Fatal("weather is not a Blueprint plugin")
	}
	rec := httptest.NewRecorder()
	bp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/current", nil))
	var reading struct {
		City    string   `json:"city"`
		Celsius float64  `json:"celsius"`
		Source  string   `json:"source"`
		Notes   []string `json:"notes"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reading); rec.Code != http.StatusOK || err != nil ||
		reading.City != "Berlin" || reading.Celsius != -3.5 || reading.Source != "provider" || !contains(reading.Notes, "noted Berlin") {
		t.Errorf("GET /current: %d %s", rec.Code, rec.Body)
	}

	// Without a provider it makes a reading up.
	if err := store.Set("plugins.weather.provider.url", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := api.OnAPICommand("refresh", map[string]any{"command": "refresh"}); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	bp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/current", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &reading); err != nil || reading.Source != "simulated" {
		t.Errorf("GET /current without a provider: %d %s", rec.Code, rec.Body)
	}

	// Its sampler stops with the plugin (soon after: it has to notice).
	stopped = true
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for m.Goroutines("weather") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of weather left after shutdown", m.Goroutines("weather"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
