package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// server serves one plugin's Plugin service, whichever protocol carries
// it (serve.go, serve_grpc.go).
type server struct {
	id     string
	def    *tentacle.Definition
	direct *directCalls // nil: calls over gRPC only
	cache  settingsCache

	mu         sync.Mutex
	hostc      hostClient
	cancel     context.CancelFunc // of the injected context
	mixins     map[string]bool    // the host's mixins the implementation implements, by wire.MixinName
	objects    map[uint64]any     // results that stay here (http.Handler, fs.FS), by identifier
	nextObject uint64
}

func newServer(id string, def *tentacle.Definition) *server {
	s := &server{id: id, def: def, mixins: map[string]bool{}, objects: map[uint64]any{}}
	current.set(s)
	return s
}

// hold keeps a result that stays in this process (an http.Handler or fs.FS
// a mixin method returned) until the next injection, and returns its
// identifier, which the host calls it by.
func (s *server) hold(v any) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextObject++
	s.objects[s.nextObject] = v
	return s.nextObject
}

// object returns the held value id.
func (s *server) object(id uint64) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[id]
}

// current is the server of this process, for Invoke.
var current serverRef

type serverRef struct {
	mu sync.Mutex
	s  *server
}

func (r *serverRef) set(s *server) { r.mu.Lock(); r.s = s; r.mu.Unlock() }

func (r *serverRef) host() hostClient {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return nil
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.s.hostc
}

// setHost sets the client of the host's services.
func (s *server) setHost(hc hostClient) {
	s.mu.Lock()
	s.hostc = hc
	s.mu.Unlock()
}

// describe returns what the plugin declares, and takes the level of its
// logger on the host. The caller has connected to the host's services.
func (s *server) describe(req *lean.DescribeRequest) (*lean.Description, error) {
	if req.LogLevel != "" {
		if err := setLogLevel(req.LogLevel); err != nil {
			return nil, fmt.Errorf("plugin %q: describe: %w", s.id, err)
		}
	}
	d := s.def
	out := &lean.Description{
		Name: d.Name, Version: d.Version, Description: d.Description, Author: d.Author, Url: d.URL,
		License: d.License, PrivacyPolicy: d.PrivacyPolicy, Compat: d.Compat, Hidden: d.Hidden,
		DisablingDiscouraged: d.DisablingDiscouraged, Protocol: protocolVersion,
		DirectCalls: s.direct.addr(), Id: s.id, Features: features(),
	}
	for name, v := range d.Hooks {
		fn, order, has := unwrapHook(v)
		decl := &lean.HookDecl{Name: name, Order: int64(order), HasOrder: has}
		if f := hookFilter(v); f != nil {
			data, err := json.Marshal(f)
			if err != nil {
				return nil, fmt.Errorf("plugin %q: describe: hook %q: filter: %w", s.id, name, err)
			}
			if string(data) != "null" { // a nil pointer: no filter
				decl.FilterJson = data
			}
		}
		if t := reflect.TypeOf(fn); t != nil {
			decl.ShapeJson = wire.ShapeJSON(t)
		} else {
			decl.ShapeJson = `{"k":"invalid"}` // nil: refused as such
		}
		out.Hooks = append(out.Hooks, decl)
	}
	sort.Slice(out.Hooks, func(i, j int) bool { return out.Hooks[i].Name < out.Hooks[j].Name })
	for name := range d.Helpers {
		out.Helpers = append(out.Helpers, name)
	}
	sort.Strings(out.Helpers)
	mixins := make(map[string]bool)
	for _, m := range req.Mixins {
		methods := make([]wire.Method, len(m.Methods))
		for i, md := range m.Methods {
			methods[i] = wire.Method{Name: md.Name, Shape: md.ShapeJson}
		}
		if wire.Implements(d.Implementation, methods) {
			mixins[m.Name] = true
			out.Mixins = append(out.Mixins, m.Name)
		}
	}
	sort.Strings(out.Mixins)
	s.mu.Lock()
	s.mixins = mixins
	s.mu.Unlock()
	if len(d.SettingsOverlay) > 0 {
		b, err := json.Marshal(d.SettingsOverlay)
		if err != nil {
			return nil, fmt.Errorf("settings overlay: %w", err)
		}
		out.SettingsOverlayJson = b
	}
	for name, set := range map[string]bool{"Check": d.Check != nil, "Load": d.Load != nil, "Unload": d.Unload != nil, "Enable": d.Enable != nil, "Disable": d.Disable != nil} {
		if set {
			out.Functions = append(out.Functions, name)
		}
	}
	sort.Strings(out.Functions)
	return out, nil
}

// hookFilter returns the filter of a Hooks value, or nil.
func hookFilter(v any) any {
	switch h := v.(type) {
	case tentacle.HookHandler:
		return h.Filter
	case *tentacle.HookHandler:
		if h != nil {
			return h.Filter
		}
	}
	return nil
}

func unwrapHook(v any) (fn any, order int, has bool) {
	switch h := v.(type) {
	case tentacle.HookHandler:
		return h.Func, h.Order, true
	case *tentacle.HookHandler:
		if h != nil {
			return h.Func, h.Order, true
		}
	}
	return v, tentacle.DefaultOrder, false
}

// dispatch answers one call of the host's, made directly: one of the
// plugin's functions, or, in the lean protocol, a request of an
// http.Handler or a file of an fs.FS the plugin holds.
func (s *server) dispatch(req *lean.CallRequest) *lean.CallResponse {
	var resp *lean.CallResponse
	var err error
	switch req.Kind {
	case lean.CallRequest_SERVE_HTTP:
		var r *lean.HTTPResponse
		if r, err = s.ServeHTTP(context.Background(), orEmpty(req.Http)); err == nil {
			resp = &lean.CallResponse{Http: r}
		}
	case lean.CallRequest_READ_FILE:
		var r *lean.FileResponse
		if r, err = s.ReadFile(context.Background(), orEmpty(req.File)); err == nil {
			resp = &lean.CallResponse{File: r}
		}
	default:
		resp, err = s.Call(context.Background(), req)
	}
	if err != nil {
		return &lean.CallResponse{Failure: err.Error()}
	}
	return resp
}

// orEmpty is *m, or a new one when m is nil.
func orEmpty[T any](m *T) *T {
	if m == nil {
		return new(T)
	}
	return m
}

// Call calls the plugin's code.
func (s *server) Call(ctx context.Context, req *lean.CallRequest) (*lean.CallResponse, error) {
	s.cache.begin(req.SettingsGeneration)
	defer s.cache.end(req.SettingsGeneration)
	var fn reflect.Value
	switch req.Kind {
	case lean.CallRequest_FUNCTION:
		fn = s.function(req.Target)
	case lean.CallRequest_METHOD:
		fn = s.method(req.Target)
	case lean.CallRequest_HOOK:
		if v, ok := s.def.Hooks[req.Target]; ok {
			h, _, _ := unwrapHook(v)
			fn = reflect.ValueOf(h)
		}
	case lean.CallRequest_HOOK_BATCH:
		return s.callBatch(req), nil
	case lean.CallRequest_HELPER:
		if v, ok := s.def.Helpers[req.Target]; ok {
			fn = reflect.ValueOf(v)
		}
	case lean.CallRequest_INJECT:
		return s.inject(req.ArgsJson)
	case lean.CallRequest_LOG_LEVEL:
		if err := setLogLevel(req.Target); err != nil {
			return nil, fmt.Errorf("plugin %q: %w", s.id, err)
		}
		return &lean.CallResponse{}, nil
	}
	if !fn.IsValid() || fn.Kind() != reflect.Func || fn.IsNil() {
		return nil, fmt.Errorf("plugin %q: %s %q: %w", s.id, req.Kind, req.Target, wire.ErrNoFunc)
	}
	res, err := s.callFn(fn, req.Codec, req.ArgsJson, true)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %s %q: %w", s.id, req.Kind, req.Target, err)
	}
	return &lean.CallResponse{ResultsJson: res.Results, Error: res.Err, HasError: res.HasErr,
		ErrorStatus: int32(res.Status), Panic: res.Panicked}, nil
}

// function returns a Definition function by name.
func (s *server) function(name string) reflect.Value {
	d := s.def
	switch name {
	case "Check":
		if d.Check != nil {
			return reflect.ValueOf(d.Check)
		}
	case "Load":
		if d.Load != nil {
			return reflect.ValueOf(d.Load)
		}
	case "Unload":
		if d.Unload != nil {
			return reflect.ValueOf(d.Unload)
		}
	case "Enable":
		if d.Enable != nil {
			return reflect.ValueOf(d.Enable)
		}
	case "Disable":
		if d.Disable != nil {
			return reflect.ValueOf(d.Disable)
		}
	}
	return reflect.Value{}
}

// method returns the implementation's method "<mixin>.<Method>", when the
// implementation implements that mixin of the host's.
func (s *server) method(target string) reflect.Value {
	dot := strings.LastIndex(target, ".")
	if dot < 0 || s.def.Implementation == nil {
		return reflect.Value{}
	}
	s.mu.Lock()
	ok := s.mixins[target[:dot]]
	s.mu.Unlock()
	if !ok {
		return reflect.Value{}
	}
	return reflect.ValueOf(s.def.Implementation).MethodByName(target[dot+1:])
}

// inject hands the implementation a context whose settings, plugin manager
// and injectables reach the host.
func (s *server) inject(args []byte) (*lean.CallResponse, error) {
	var a []wire.InjectArgs
	if err := json.Unmarshal(args, &a); err != nil || len(a) != 1 {
		return nil, fmt.Errorf("plugin %q: inject: bad arguments", s.id)
	}
	in := a[0]
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel() // the context of the previous enable
	}
	hc := s.hostc
	clear(s.objects) // what the previous enable's methods returned
	s.mu.Unlock()
	injected := map[string]any{}
	for _, name := range in.Injected {
		injected[name] = remoteInjectable{hc: hc, name: name}
	}
	info := tentacle.PluginInfo{Identifier: in.Info.Identifier, Name: in.Info.Name, Version: in.Info.Version,
		Bundled: in.Info.Bundled, Origin: in.Info.Origin, Tier: in.Info.Tier}
	c, cancel := tentacle.NewContext(context.Background(), tentacle.ContextConfig{
		Identifier: in.Identifier,
		Info:       info,
		BaseFolder: in.BaseFolder,
		DataFolder: in.DataFolder,
		Logger:     newLogger(),
		Settings:   &remoteSettings{hc: hc, cache: &s.cache},
		Manager:    remoteManager{hc},
		Injected:   injected,
	})
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	ok, err := tier.InjectBase(s.def.Implementation, c)
	if err != nil {
		return &lean.CallResponse{Error: err.Error(), HasError: true}, nil
	}
	b, _ := json.Marshal([]bool{ok})
	return &lean.CallResponse{ResultsJson: b}, nil
}

// ServeHTTP answers a request with an http.Handler a mixin method returned.
func (s *server) ServeHTTP(ctx context.Context, req *lean.HTTPRequest) (resp *lean.HTTPResponse, err error) {
	h, ok := s.object(req.Object).(http.Handler)
	if !ok {
		return nil, fmt.Errorf("plugin %q has no http.Handler %d", s.id, req.Object)
	}
	r := httptest.NewRequestWithContext(ctx, req.Method, req.Url, bytes.NewReader(req.Body))
	for _, hd := range req.Headers {
		for _, v := range hd.Values {
			r.Header.Add(hd.Name, v)
		}
	}
	r.RemoteAddr = req.RemoteAddr
	w := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("plugin %q: http handler panicked: %v", s.id, p)
		}
	}()
	h.ServeHTTP(w, r)
	out := &lean.HTTPResponse{Status: int32(w.Code), Body: w.Body.Bytes()}
	for name, vals := range w.Header() {
		out.Headers = append(out.Headers, &lean.Header{Name: name, Values: vals})
	}
	return out, nil
}

// ReadFile reads a file of an fs.FS a mixin method returned.
func (s *server) ReadFile(_ context.Context, req *lean.FileRequest) (*lean.FileResponse, error) {
	fsys, ok := s.object(req.Object).(fs.FS)
	if !ok {
		return nil, fmt.Errorf("plugin %q has no fs.FS %d", s.id, req.Object)
	}
	fi, err := fs.Stat(fsys, req.Name)
	if err != nil {
		return &lean.FileResponse{}, nil
	}
	if fi.IsDir() {
		return &lean.FileResponse{Exists: true, IsDir: true}, nil
	}
	f, err := fsys.Open(req.Name)
	if err != nil {
		return &lean.FileResponse{}, nil
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return &lean.FileResponse{Exists: true, Data: data}, nil
}
