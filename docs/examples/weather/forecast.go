package weather

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// NotesHook is the hook this plugin defines for others. A handler has
// exactly this type (undeclared hooks are not type-checked at enable, so
// the plugin checks each handler when it calls it):
//
//	func(city string, celsius float64) string
//
// and returns a note to attach to the reading, or "" for none. Handlers run
// in order on every reading, on whichever goroutine takes it.
const NotesHook = "tentacle.plugin.weather.notes"

// notesFunc is the handler type of NotesHook.
type notesFunc = func(city string, celsius float64) string

// Reading is one temperature reading, as the API and the route send it.
type Reading struct {
	City    string    `json:"city"`
	Celsius float64   `json:"celsius"`
	Display string    `json:"display"` // in the configured unit, such as "54.1 °F"
	Source  string    `json:"source"`  // "provider" or "simulated"
	Notes   []string  `json:"notes"`
	At      time.Time `json:"at"`
}

// refresh takes a reading, runs it through the handlers of NotesHook,
// keeps it and announces it with the event plugin_weather_reading.
func (w *Weather) refresh(ctx context.Context) Reading {
	s := w.Settings()
	city := s.GetString("city")
	r := Reading{City: city, At: time.Now().UTC(), Source: "provider"}
	celsius, err := w.fetch(ctx, city)
	if err != nil {
		if s.GetString("provider.url") != "" {
			w.Logger().Warn("provider failed; making a reading up", "error", err)
		}
		// Two statements: the interpreter drops the other values of a
		// multiple assignment that also holds a call.
		celsius = simulated(city, r.At)
		r.Source = "simulated"
	}
	r.Celsius = celsius
	r.Display = format(celsius, s.GetString("unit"))
	r.Notes = w.notes(city, celsius)

	w.mu.Lock()
	w.last = r
	w.mu.Unlock()

	// The event bus exists under the tentacle server only.
	if bus := server.Bus(w); bus != nil {
		bus.Fire(server.PluginEvent(w.Identifier(), "reading"), map[string]any{"city": city, "celsius": celsius})
	}
	return r
}

// fetch asks the provider, when one is configured, for the temperature of
// city: GET <url>?city=<city>, answering {"celsius": <number>}. The request
// ends with ctx, so a disable cancels it. The interpreter gives plugins the
// whole standard library, net/http included: it is not a sandbox.
func (w *Weather) fetch(ctx context.Context, city string) (float64, error) {
	s := w.Settings()
	url := s.GetString("provider.url")
	if url == "" {
		return 0, fmt.Errorf("no provider configured")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	q := req.URL.Query()
	q.Set("city", city)
	req.URL.RawQuery = q.Encode()
	if key := s.GetString("provider.key"); key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	// No keep-alive: an idle connection keeps two goroutines of net/http
	// running, which would count as the plugin's leftover goroutines once
	// it is disabled. A reading every few minutes does not need one.
	req.Close = true
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s answered %s", url, resp.Status)
	}
	var body struct {
		Celsius *float64 `json:"celsius"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Celsius == nil {
		return 0, fmt.Errorf("%s answered without celsius", url)
	}
	return *body.Celsius, nil
}

// notes calls the handlers of NotesHook in order, each as a notesFunc,
// whichever tier runs its plugin (e.As converts a handler of another
// process). Handlers are other plugins' code: one of the wrong type is
// skipped, one that panics is logged and skipped (the host does not
// recover calls a plugin makes itself).
func (w *Weather) notes(city string, celsius float64) []string {
	notes := []string{}
	pm := w.PluginManager()
	if pm == nil {
		return notes
	}
	for _, e := range pm.Handlers(NotesHook) {
		var fn notesFunc
		if err := e.As(&fn); err != nil {
			w.Logger().Warn("ignoring a handler of the wrong type", "hook", NotesHook, "from", e.Plugin, "error", err)
			continue
		}
		if note := callNote(w, e, fn, city, celsius); note != "" {
			notes = append(notes, note)
		}
	}
	return notes
}

// callNote calls one handler, recovering a panic in it.
func callNote(w *Weather, e tentacle.HookEntry, fn notesFunc, city string, celsius float64) (note string) {
	defer func() {
		if r := recover(); r != nil {
			w.Logger().Error("notes handler failed", "from", e.Plugin, "panic", fmt.Sprint(r))
			note = ""
		}
	}()
	return fn(city, celsius)
}

// frostNote is the plugin's own handler of NotesHook.
func frostNote(city string, celsius float64) string {
	if celsius <= 0 {
		return "frost in " + city
	}
	return ""
}

// describe is the helper other plugins fetch with
// PluginManager().Helpers("weather", "describe"): the latest reading in a
// line, such as "Berlin: 11.4 °C (frost in Berlin)".
func (w *Weather) describe() string {
	w.mu.Lock()
	r := w.last
	w.mu.Unlock()
	if r.At.IsZero() {
		return "no reading yet"
	}
	line := r.City + ": " + r.Display
	for i, n := range r.Notes {
		if i == 0 {
			line += " (" + n
		} else {
			line += "; " + n
		}
		if i == len(r.Notes)-1 {
			line += ")"
		}
	}
	return line
}

// format shows celsius in unit, "C" or "F", with one decimal.
func format(celsius float64, unit string) string {
	if unit == "F" {
		return fmt.Sprintf("%.1f °F", celsius*9/5+32)
	}
	return fmt.Sprintf("%.1f °C", celsius)
}

// simulated makes up a plausible temperature for city at a time: a base
// that depends on the name, warmest in the afternoon.
func simulated(city string, at time.Time) float64 {
	base := 10.0
	// A classic loop: the interpreter has no range over integers.
	for i := 0; i < len(city); i++ {
		base += float64(city[i]%7) - 3
	}
	minutes := float64(at.Hour()*60 + at.Minute())
	day := math.Sin(2 * math.Pi * (minutes - 9*60) / (24 * 60))
	return math.Round(clamp(base+6*day, -40, 45)*10) / 10
}

// clamp keeps v within [lo, hi]. The interpreter has no min and max
// builtins, so the comparison is written out.
func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
