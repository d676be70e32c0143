package process

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
)

// Caller calls the methods of a plugin's implementation in its process;
// proxies of mixins use it.
type Caller interface {
	// Call calls method ("<package path>.<interface>.<method>") with args
	// and decodes its results into outs (pointers), returning the error the
	// method returned. A call that fails (the process is gone, the call
	// overran its deadline, the method panicked) panics, as the method
	// would have in process: the host recovers it where it calls plugin
	// code.
	Call(method string, args []any, outs ...any) error
}

type proxyCaller struct{ in *instance }

func (c proxyCaller) Call(method string, args []any, outs ...any) error {
	if args == nil {
		args = []any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		panic(fmt.Errorf("%s: arguments: %w", method, err))
	}
	res, err := c.in.call(pluginpb.CallRequest_METHOD, method, c.in.opts.CallTimeout, b)
	if rerr := remoteErr(res, err); rerr != nil {
		return rerr
	}
	if len(outs) > 0 {
		var raw []json.RawMessage
		if err := json.Unmarshal(res.Results, &raw); err != nil || len(raw) != len(outs) {
			panic(fmt.Errorf("%s: %d results, want %d", method, len(raw), len(outs)))
		}
		for i, o := range outs {
			if err := json.Unmarshal(raw[i], o); err != nil {
				panic(fmt.Errorf("%s: result %d: %w", method, i, err))
			}
		}
	}
	return nil
}

// Proxy returns the name of method of mixin T for Caller.Call.
func Proxy[T any](method string) string {
	return wire.MixinName(reflect.TypeFor[T]()) + "." + method
}

// mixin names the method of a tentacle or host mixin.
func m[T any](method string) string { return Proxy[T](method) }

// builtinProxies are the proxies of package tentacle's and package host's
// mixins.
var builtinProxies = map[reflect.Type]func(Caller) any{
	reflect.TypeFor[tentacle.Initializer]():        func(c Caller) any { return initializer{c} },
	reflect.TypeFor[tentacle.EnableListener]():     func(c Caller) any { return enableListener{c} },
	reflect.TypeFor[tentacle.DisableListener]():    func(c Caller) any { return disableListener{c} },
	reflect.TypeFor[tentacle.UninstallListener]():  func(c Caller) any { return uninstallListener{c} },
	reflect.TypeFor[tentacle.Sortable]():           func(c Caller) any { return sortable{c} },
	reflect.TypeFor[tentacle.RestartNeeding]():     func(Caller) any { return marker{} },
	reflect.TypeFor[tentacle.ReloadNeeding]():      func(Caller) any { return marker{} },
	reflect.TypeFor[tentacle.SettingsPlugin]():     func(c Caller) any { return settingsPlugin{c} },
	reflect.TypeFor[tentacle.SettingsMigrator]():   func(c Caller) any { return settingsMigrator{c} },
	reflect.TypeFor[server.Startup]():              func(c Caller) any { return startup{c} },
	reflect.TypeFor[server.AfterStartup]():         func(c Caller) any { return afterStartup{c} },
	reflect.TypeFor[server.Shutdown]():             func(c Caller) any { return shutdown{c} },
	reflect.TypeFor[server.EventHandler]():         func(c Caller) any { return eventHandler{c} },
	reflect.TypeFor[server.SimpleAPI]():            func(c Caller) any { return simpleAPI{c} },
	reflect.TypeFor[server.APIGetter]():            func(c Caller) any { return apiGetter{c} },
	reflect.TypeFor[server.Blueprint]():            func(c Caller) any { return blueprint{c.(proxyCaller).in} },
	reflect.TypeFor[server.BlueprintUnprotected](): func(Caller) any { return marker{} },
	reflect.TypeFor[server.Asset]():                func(c Caller) any { return asset{c} },
	reflect.TypeFor[server.SettingsRestricted]():   func(c Caller) any { return settingsRestricted{c} },
	reflect.TypeFor[server.SettingsValidator]():    func(c Caller) any { return settingsValidator{c} },
}

type initializer struct{ c Caller }

func (p initializer) Initialize() error { return p.c.Call(m[tentacle.Initializer]("Initialize"), nil) }

type enableListener struct{ c Caller }

func (p enableListener) OnPluginEnabled() {
	_ = p.c.Call(m[tentacle.EnableListener]("OnPluginEnabled"), nil)
}

type disableListener struct{ c Caller }

func (p disableListener) OnPluginDisabled() {
	_ = p.c.Call(m[tentacle.DisableListener]("OnPluginDisabled"), nil)
}

type uninstallListener struct{ c Caller }

func (p uninstallListener) OnPluginPendingUninstall() {
	_ = p.c.Call(m[tentacle.UninstallListener]("OnPluginPendingUninstall"), nil)
}

type sortable struct{ c Caller }

func (p sortable) SortingKey(context string) (int, bool) {
	var key int
	var ok bool
	_ = p.c.Call(m[tentacle.Sortable]("SortingKey"), []any{context}, &key, &ok)
	return key, ok
}

// marker implements the marker mixins, which have nothing to call.
type marker struct{}

func (marker) RestartNeedingPlugin() {}
func (marker) ReloadNeedingPlugin()  {}
func (marker) BlueprintUnprotected() {}

type settingsPlugin struct{ c Caller }

func (p settingsPlugin) SettingsDefaults() map[string]any {
	var out map[string]any
	_ = p.c.Call(m[tentacle.SettingsPlugin]("SettingsDefaults"), nil, &out)
	return out
}

type settingsMigrator struct{ c Caller }

func (p settingsMigrator) SettingsVersion() int {
	var v int
	_ = p.c.Call(m[tentacle.SettingsMigrator]("SettingsVersion"), nil, &v)
	return v
}

func (p settingsMigrator) OnSettingsMigrate(target, current int) error {
	return p.c.Call(m[tentacle.SettingsMigrator]("OnSettingsMigrate"), []any{target, current})
}

type startup struct{ c Caller }

func (p startup) OnStartup(h string, port int) {
	_ = p.c.Call(m[server.Startup]("OnStartup"), []any{h, port})
}

type afterStartup struct{ c Caller }

func (p afterStartup) OnAfterStartup() { _ = p.c.Call(m[server.AfterStartup]("OnAfterStartup"), nil) }

type shutdown struct{ c Caller }

func (p shutdown) OnShutdown() { _ = p.c.Call(m[server.Shutdown]("OnShutdown"), nil) }

type eventHandler struct{ c Caller }

func (p eventHandler) OnEvent(event string, payload map[string]any) {
	_ = p.c.Call(m[server.EventHandler]("OnEvent"), []any{event, payload})
}

type simpleAPI struct{ c Caller }

func (p simpleAPI) APICommands() map[string][]string {
	var out map[string][]string
	_ = p.c.Call(m[server.SimpleAPI]("APICommands"), nil, &out)
	return out
}

// OnAPICommand sends data with its floats marked (5.0, not 5), so that
// the plugin gets the Go types server.SimpleAPI promises.
func (p simpleAPI) OnAPICommand(command string, data map[string]any) (any, error) {
	var out any
	err := p.c.Call(m[server.SimpleAPI]("OnAPICommand"), []any{command, wire.FloatsMarked(data)}, &out)
	return out, apiError(err)
}

type apiGetter struct{ c Caller }

// OnAPIGet sends the request's method, URL and headers (the body of a GET
// is not used).
func (p apiGetter) OnAPIGet(r *http.Request) (any, error) {
	var out any
	err := p.c.Call(m[server.APIGetter]("OnAPIGet"), []any{wire.RequestOf(r)}, &out)
	return out, apiError(err)
}

// apiError restores the status of a *server.APIError the plugin returned,
// which crosses as "status: message".
func apiError(err error) error {
	re, ok := err.(*wire.RemoteError)
	if !ok {
		return err
	}
	var status int
	var msg string
	if n, _ := fmt.Sscanf(re.Message, "%d:", &status); n == 1 && status >= 400 && status < 600 {
		if i := strings.Index(re.Message, ": "); i >= 0 {
			msg = re.Message[i+2:]
		}
		return &server.APIError{Status: status, Message: msg}
	}
	return err
}

type settingsRestricted struct{ c Caller }

func (p settingsRestricted) SettingsRestrictedPaths() map[string][]string {
	var out map[string][]string
	_ = p.c.Call(m[server.SettingsRestricted]("SettingsRestrictedPaths"), nil, &out)
	return out
}

type settingsValidator struct{ c Caller }

func (p settingsValidator) ValidateSettings(data map[string]any) error {
	return p.c.Call(m[server.SettingsValidator]("ValidateSettings"), []any{data})
}

type asset struct{ c Caller }

func (p asset) AssetFS() fs.FS { return remoteFS{p.c.(proxyCaller).in} }

func (p asset) Assets() map[string][]string {
	var out map[string][]string
	_ = p.c.Call(m[server.Asset]("Assets"), nil, &out)
	return out
}

// blueprint forwards HTTP requests to the plugin's handler.
type blueprint struct{ in *instance }

func (p blueprint) Handler() http.Handler { return p }

func (p blueprint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	req := &pluginpb.HTTPRequest{Method: r.Method, Url: r.URL.String(), Body: body, RemoteAddr: r.RemoteAddr}
	for name, vals := range r.Header {
		req.Headers = append(req.Headers, &pluginpb.Header{Name: name, Values: vals})
	}
	in := p.in
	in.mu.Lock()
	proc, down := in.p, in.closed || in.crashed
	in.mu.Unlock()
	if down {
		panic(fmt.Errorf("plugin %q: %w", in.id, errNotRunning))
	}
	ctx, cancel := context.WithTimeout(r.Context(), in.opts.CallTimeout)
	defer cancel()
	resp, err := proc.rpc.ServeHTTP(ctx, req)
	if err != nil {
		panic(fmt.Errorf("plugin %q: blueprint: %w", in.id, err))
	}
	for _, h := range resp.Headers {
		for _, v := range h.Values {
			w.Header().Add(h.Name, v)
		}
	}
	w.WriteHeader(int(resp.Status))
	_, _ = w.Write(resp.Body)
}

// remoteFS is a plugin's Asset file system, read from its process.
type remoteFS struct{ in *instance }

func (f remoteFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f.in.mu.Lock()
	proc, down := f.in.p, f.in.closed || f.in.crashed
	f.in.mu.Unlock()
	if down {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRunning}
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.in.opts.CallTimeout)
	defer cancel()
	resp, err := proc.rpc.ReadFile(ctx, &pluginpb.FileRequest{Name: name})
	switch {
	case err != nil:
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	case !resp.Exists:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, dir: resp.IsDir, r: bytes.NewReader(resp.Data), size: int64(len(resp.Data))}, nil
}

// memFile is a file read whole from a plugin's process.
type memFile struct {
	name string
	dir  bool
	size int64
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Seek(off int64, whence int) (int64, error) {
	return f.r.Seek(off, whence)
}
func (f *memFile) Close() error { return nil }
func (f *memFile) Name() string {
	return f.name[strings.LastIndex(f.name, "/")+1:]
}
func (f *memFile) Size() int64 { return f.size }
func (f *memFile) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (f *memFile) ModTime() time.Time { return time.Time{} }
func (f *memFile) IsDir() bool        { return f.dir }
func (f *memFile) Sys() any           { return nil }
