// Package demo is a plugin that uses every server mixin, for the server's
// tests. It appends what the server makes it do to calls.log in its data
// folder, so that tests in another process can read it.
package demo

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// ID is the plugin's identifier.
const ID = "demo"

//go:embed static
var static embed.FS

// Demo implements every server mixin.
type Demo struct {
	tentacle.Base
	mu     sync.Mutex
	events []string
}

var (
	_ server.Startup            = (*Demo)(nil)
	_ server.AfterStartup       = (*Demo)(nil)
	_ server.Shutdown           = (*Demo)(nil)
	_ server.EventHandler       = (*Demo)(nil)
	_ server.SimpleAPI          = (*Demo)(nil)
	_ server.APIGetter          = (*Demo)(nil)
	_ server.Blueprint          = (*Demo)(nil)
	_ server.Asset              = (*Demo)(nil)
	_ server.SettingsRestricted = (*Demo)(nil)
	_ server.SettingsValidator  = (*Demo)(nil)
	_ tentacle.SettingsPlugin   = (*Demo)(nil)
)

// New returns a fresh definition of the plugin.
func New() *tentacle.Definition {
	return &tentacle.Definition{Name: "Demo", Version: "1.0.0", Implementation: &Demo{}}
}

// record appends a line to calls.log.
func (d *Demo) record(format string, args ...any) {
	dir, err := d.DataFolder()
	if err != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, "calls.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, format+"\n", args...)
}

func (d *Demo) OnStartup(host string, port int) { d.record("startup %s", host) }
func (d *Demo) OnAfterStartup()                 { d.record("after_startup") }
func (d *Demo) OnShutdown()                     { d.record("shutdown") }

func (d *Demo) OnEvent(event string, payload map[string]any) {
	d.mu.Lock()
	d.events = append(d.events, event)
	d.mu.Unlock()
	if event == "plugin_demo_boom" {
		panic("boom on purpose")
	}
}

// Events returns the events received so far.
func (d *Demo) Events() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.events...)
}

func (d *Demo) APICommands() map[string][]string {
	return map[string][]string{"greet": {"name"}, "fail": nil, "panic": nil, "fire": {"event"}, "nothing": nil, "accepted": nil, "unencodable": nil, "types": nil}
}

func (d *Demo) OnAPICommand(command string, data map[string]any) (any, error) {
	switch command {
	case "greet":
		return map[string]any{"greeting": d.Settings().GetString("greeting") + ", " + fmt.Sprint(data["name"])}, nil
	case "fail":
		return nil, &server.APIError{Status: http.StatusConflict, Message: "cannot do that now"}
	case "panic":
		panic("api panic on purpose")
	case "fire":
		server.Bus(d).Fire(server.PluginEvent(ID, fmt.Sprint(data["event"])), map[string]any{"from": ID})
		server.Messages(d).SendPluginMessage(map[string]any{"fired": data["event"]})
		return nil, nil
	case "unencodable":
		return map[string]any{"ch": make(chan int)}, nil
	case "nothing":
		return nil, nil
	case "accepted":
		return &server.Response{Status: http.StatusAccepted, Body: map[string]any{"queued": true}}, nil
	case "types":
		return types(data), nil
	}
	return nil, errors.New("unreachable")
}

// types returns v with each value replaced by the name of its Go type,
// through maps and slices: what the "types" command answers.
func types(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = types(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = types(e)
		}
		return out
	}
	return fmt.Sprintf("%T", v)
}

func (d *Demo) OnAPIGet(r *http.Request) (any, error) {
	return map[string]any{"hello": r.URL.Query().Get("who")}, nil
}

func (d *Demo) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello from demo") })
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("blueprint panic on purpose") })
	// wait answers a first line at once, then holds the request until the
	// server cuts it off (a request still in progress at stop).
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "waiting")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	return mux
}

func (d *Demo) AssetFS() fs.FS {
	sub, _ := fs.Sub(static, "static")
	return sub
}

func (d *Demo) Assets() map[string][]string {
	return map[string][]string{"js": {"js/demo.js"}, "css": {"css/demo.css"}}
}

func (d *Demo) SettingsDefaults() map[string]any {
	return map[string]any{"greeting": "Hello", "count": 3, "secret": "s3cr3t", "internal": "fixed", "nested": map[string]any{"on": true}}
}

func (d *Demo) SettingsRestrictedPaths() map[string][]string {
	return map[string][]string{server.RestrictAdmin: {"secret"}, server.RestrictNever: {"internal"}}
}

func (d *Demo) ValidateSettings(data map[string]any) error {
	if n, _ := data["count"].(int); n < 0 {
		return errors.New("count must not be negative")
	}
	return nil
}
