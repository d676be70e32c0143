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

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/connectivity"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// server serves one plugin's Plugin service.
type server struct {
	pluginpb.UnimplementedPluginServer
	id     string
	def    *tentacle.Definition
	broker *plugin.GRPCBroker
	direct *directCalls // nil: calls over gRPC only
	cache  settingsCache

	mu         sync.Mutex
	hostc      pluginpb.HostClient
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

func (r *serverRef) host() pluginpb.HostClient {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s == nil {
		return nil
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.s.hostc
}

// Describe connects to the host's services and returns what the plugin
// declares.
func (s *server) Describe(ctx context.Context, req *pluginpb.DescribeRequest) (*pluginpb.Description, error) {
	giveBackStderr() // go-plugin has redirected it by now
	if req.LogLevel != "" {
		if err := setLogLevel(req.LogLevel); err != nil {
			return nil, fmt.Errorf("plugin %q: describe: %w", s.id, err)
		}
	}
	if req.HostBrokerId != 0 && s.broker != nil {
		conn, err := s.broker.Dial(req.HostBrokerId)
		if err != nil {
			return nil, fmt.Errorf("reach the host's services: %w", err)
		}
		// Connected before the plugin is described: its host services work
		// from its first call on, and the host's side of the connection is
		// up before the host's load of the plugin returns.
		conn.Connect()
		for st := conn.GetState(); st != connectivity.Ready; st = conn.GetState() {
			if !conn.WaitForStateChange(ctx, st) {
				return nil, fmt.Errorf("reach the host's services: %w", ctx.Err())
			}
		}
		s.mu.Lock()
		s.hostc = newDirectHost(pluginpb.NewHostClient(conn), req.DirectHost)
		s.mu.Unlock()
	}
	d := s.def
	out := &pluginpb.Description{
		Name: d.Name, Version: d.Version, Description: d.Description, Author: d.Author, Url: d.URL,
		License: d.License, PrivacyPolicy: d.PrivacyPolicy, Compat: d.Compat, Hidden: d.Hidden,
		DisablingDiscouraged: d.DisablingDiscouraged, Protocol: uint32(transport.Handshake.ProtocolVersion),
		DirectCalls: s.direct.addr(), Id: s.id, Features: features(),
	}
	for name, v := range d.Hooks {
		fn, order, has := unwrapHook(v)
		decl := &pluginpb.HookDecl{Name: name, Order: int64(order), HasOrder: has}
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

// Call calls the plugin's code.
func (s *server) Call(ctx context.Context, req *pluginpb.CallRequest) (*pluginpb.CallResponse, error) {
	s.cache.begin(req.SettingsGeneration)
	defer s.cache.end(req.SettingsGeneration)
	var fn reflect.Value
	switch req.Kind {
	case pluginpb.CallRequest_FUNCTION:
		fn = s.function(req.Target)
	case pluginpb.CallRequest_METHOD:
		fn = s.method(req.Target)
	case pluginpb.CallRequest_HOOK:
		if v, ok := s.def.Hooks[req.Target]; ok {
			h, _, _ := unwrapHook(v)
			fn = reflect.ValueOf(h)
		}
	case pluginpb.CallRequest_HOOK_BATCH:
		return s.callBatch(req), nil
	case pluginpb.CallRequest_HELPER:
		if v, ok := s.def.Helpers[req.Target]; ok {
			fn = reflect.ValueOf(v)
		}
	case pluginpb.CallRequest_INJECT:
		return s.inject(req.ArgsJson)
	case pluginpb.CallRequest_LOG_LEVEL:
		if err := setLogLevel(req.Target); err != nil {
			return nil, fmt.Errorf("plugin %q: %w", s.id, err)
		}
		return &pluginpb.CallResponse{}, nil
	}
	if !fn.IsValid() || fn.Kind() != reflect.Func || fn.IsNil() {
		return nil, fmt.Errorf("plugin %q: %s %q: %w", s.id, req.Kind, req.Target, wire.ErrNoFunc)
	}
	res, err := s.callFn(fn, req.Codec, req.ArgsJson, true)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %s %q: %w", s.id, req.Kind, req.Target, err)
	}
	return &pluginpb.CallResponse{ResultsJson: res.Results, Error: res.Err, HasError: res.HasErr,
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
func (s *server) inject(args []byte) (*pluginpb.CallResponse, error) {
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
		return &pluginpb.CallResponse{Error: err.Error(), HasError: true}, nil
	}
	b, _ := json.Marshal([]bool{ok})
	return &pluginpb.CallResponse{ResultsJson: b}, nil
}

// ServeHTTP answers a request with an http.Handler a mixin method returned.
func (s *server) ServeHTTP(ctx context.Context, req *pluginpb.HTTPRequest) (resp *pluginpb.HTTPResponse, err error) {
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
	out := &pluginpb.HTTPResponse{Status: int32(w.Code), Body: w.Body.Bytes()}
	for name, vals := range w.Header() {
		out.Headers = append(out.Headers, &pluginpb.Header{Name: name, Values: vals})
	}
	return out, nil
}

// ReadFile reads a file of an fs.FS a mixin method returned.
func (s *server) ReadFile(_ context.Context, req *pluginpb.FileRequest) (*pluginpb.FileResponse, error) {
	fsys, ok := s.object(req.Object).(fs.FS)
	if !ok {
		return nil, fmt.Errorf("plugin %q has no fs.FS %d", s.id, req.Object)
	}
	fi, err := fs.Stat(fsys, req.Name)
	if err != nil {
		return &pluginpb.FileResponse{}, nil
	}
	if fi.IsDir() {
		return &pluginpb.FileResponse{Exists: true, IsDir: true}, nil
	}
	f, err := fsys.Open(req.Name)
	if err != nil {
		return &pluginpb.FileResponse{}, nil
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return &pluginpb.FileResponse{Exists: true, Data: data}, nil
}
