// Package weather is the worked example of a source plugin: copy this
// folder to <basedir>/plugins/weather/ and the tentacle server runs it, no
// compiler needed.
//
// It keeps a temperature reading for a city, refreshed in the background,
// and offers it through the simple API (POST /api/plugin/weather), a route
// of its own (GET /plugin/weather/current), a helper for other plugins
// ("describe") and a hook of its own that other plugins handle to attach
// notes to every reading (tentacle.plugin.weather.notes).
//
// This file holds the definition and the mixins; forecast.go the readings,
// the hook and the helper. Both files are package weather: a folder plugin
// is one package.
package weather

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// Weather is the implementation. The server calls it from several
// goroutines (HTTP requests, its event goroutine, the sampler below), so its
// state is guarded by mu.
type Weather struct {
	tentacle.Base

	mu   sync.Mutex
	last Reading // the latest reading
}

// Interface guards: the interpreter checks them when it loads the plugin,
// as the compiler would, so a misspelt method fails the load with a
// file:line instead of quietly not being a mixin.
var (
	_ tentacle.SettingsPlugin   = (*Weather)(nil)
	_ tentacle.SettingsMigrator = (*Weather)(nil)
	_ tentacle.Initializer      = (*Weather)(nil)
	_ server.SettingsRestricted = (*Weather)(nil)
	_ server.SimpleAPI          = (*Weather)(nil)
	_ server.Blueprint          = (*Weather)(nil)
	_ server.EventHandler       = (*Weather)(nil)
)

// SettingsDefaults: plugins.weather in config.yaml. With no provider URL,
// the plugin makes up plausible readings, so that it works offline.
func (w *Weather) SettingsDefaults() map[string]any {
	return map[string]any{
		"city":     "Berlin",
		"unit":     "C", // "C" or "F"
		"interval": 300, // seconds between readings
		"provider": map[string]any{"url": "", "key": ""},
	}
}

// SettingsRestrictedPaths: the provider's key is shown through the settings
// API only to callers with the API key.
func (w *Weather) SettingsRestrictedPaths() map[string][]string {
	return map[string][]string{server.RestrictAdmin: {"provider.key"}}
}

// SettingsVersion: version 1 had "units" ("metric" or "imperial");
// version 2 has "unit" ("C" or "F").
func (w *Weather) SettingsVersion() int { return 2 }

// OnSettingsMigrate moves a version 1 "units" to "unit". current is 0 when
// no version was stored. Running it twice does no harm.
func (w *Weather) OnSettingsMigrate(target, current int) error {
	s := w.Settings()
	if current < 2 {
		if units, ok := s.Get("units").(string); ok {
			unit := "C"
			if units == "imperial" {
				unit = "F"
			}
			if err := s.Set("unit", unit); err != nil {
				return err
			}
			if err := s.Remove("units"); err != nil {
				return err
			}
		}
	}
	return nil // the host stores _config_version = target and saves
}

// Initialize runs on every enable, after the context is injected. It takes
// a first reading, so that the helper and the route have one at once, and
// starts the sampler, which stops with the plugin's context: a disable
// cancels it. A goroutine that ignored the context would be listed as
// leftover_goroutines once the plugin is disabled.
func (w *Weather) Initialize() error {
	if unit := w.Settings().GetString("unit"); unit != "C" && unit != "F" {
		return fmt.Errorf("plugins.weather.unit is %q; want C or F", unit)
	}
	ctx := w.Context()
	w.refresh(ctx)
	go w.sampler(ctx)
	return nil
}

// sampler takes a reading every interval seconds until ctx is done. A panic
// in a goroutine the plugin starts would end the whole server, so it
// recovers its own.
func (w *Weather) sampler(ctx *tentacle.Context) {
	defer func() {
		if r := recover(); r != nil {
			w.Logger().Error("sampler stopped", "panic", fmt.Sprint(r))
		}
	}()
	for {
		every := time.Duration(w.Settings().GetInt("interval")) * time.Second
		if every < time.Second {
			every = time.Minute
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
			w.refresh(ctx)
		}
	}
}

// OnEvent runs on the plugin's own event goroutine. A change of the city or
// the provider through the settings API calls for a new reading at once.
func (w *Weather) OnEvent(event string, payload map[string]any) {
	if event != server.EventSettingsUpdated {
		return
	}
	ids, _ := payload["plugins"].([]string)
	for _, id := range ids {
		if id == w.Identifier() {
			w.refresh(w.Context())
			return
		}
	}
}

// APICommands: POST /api/plugin/weather takes "refresh" and "city" (with a
// "name").
func (w *Weather) APICommands() map[string][]string {
	return map[string][]string{"refresh": nil, "city": {"name"}}
}

// OnAPICommand runs a command and answers with the new reading.
func (w *Weather) OnAPICommand(command string, data map[string]any) (any, error) {
	switch command {
	case "refresh":
		return w.refresh(w.Context()), nil
	case "city":
		name, _ := data["name"].(string)
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, &server.APIError{Status: http.StatusBadRequest, Message: `"name" must be a non-empty string`}
		}
		if err := w.Settings().Set("city", name); err != nil {
			return nil, err
		}
		if err := w.Settings().Save(); err != nil {
			return nil, err
		}
		return w.refresh(w.Context()), nil
	}
	return nil, fmt.Errorf("unexpected command %q", command)
}

// Handler serves /plugin/weather/...; the paths it sees have that prefix
// removed.
func (w *Weather) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /current", func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		last := w.last
		w.mu.Unlock()
		if last.At.IsZero() {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(rw).Encode(map[string]any{"error": "no reading yet"})
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(last)
	})
	return mux
}

// impl is the implementation. Naming it lets the Hooks and Helpers below
// use its methods; the Implementation field must still be given in the
// Plugin literal, where the source tier looks for it.
var impl = &Weather{}

// Plugin is the definition. Its constant fields (name, version, ...) are
// read without running the plugin, so that the listing shows them even for
// a plugin that is disabled or does not load.
var Plugin = tentacle.Definition{
	Name:        "Weather",
	Version:     "1.0.0",
	Description: "Keeps a temperature reading for a city and lets other plugins comment on it.",
	Author:      "Jane Doe",
	License:     "MIT",
	Compat:      ">=1.0, <2",

	Implementation: impl,
	Hooks: tentacle.Hooks{
		// Its own hook: the frost note comes first (order 10).
		NotesHook: tentacle.Hook(frostNote, 10),
	},
	Helpers: tentacle.Helpers{
		"describe": impl.describe,
	},
}
