package process

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// instance is a plugin running as a process.
type instance struct {
	id   string
	opts *Options
	env  tier.Env
	log  *slog.Logger
	out  *output

	mu      sync.Mutex
	p       *proc
	def     *tentacle.Definition
	ctx     *tentacle.Context // the latest injected, for the host's services
	gen     generational      // its settings, when they count their changes
	closed  bool
	crashed bool
	exit    string
	killed  string // why the host killed the process, if it did

	overruns atomic.Int64
	streak   atomic.Int64 // calls in a row that overran; reset by one in time

	mixins          map[string]tentacle.Mixin // the host's, by wire.MixinName
	lifecycleMixins map[string]bool           // wire.MixinName of the lifecycle ones

	// The level of the plugin's logger on the host, which the process is
	// told (see watchLevel).
	levelMu    sync.Mutex
	sentLevel  slog.Level  // what the process was told last; guarded by levelMu
	watched    atomic.Bool // the level is watched: the process was told one
	stopWatch  func()      // ends the watch of the level; nil: not watched
	levelSends sync.WaitGroup
}

var (
	_ tier.Instance            = (*instance)(nil)
	_ tier.ProcessReporter     = (*instance)(nil)
	_ tier.UnloadsWhenDisabled = (*instance)(nil)
)

// UnloadsWhenDisabled implements tier.UnloadsWhenDisabled: a disabled
// plugin's process is stopped.
func (in *instance) UnloadsWhenDisabled() {}

// load starts the plugin's process and builds its Definition from what it
// describes: its functions, hook handlers and helpers are proxies that call
// into the process.
func load(ctx context.Context, id, exe, sha string, env tier.Env, opts *Options, runs *runDirs) (tier.Instance, error) {
	log := env.Logger
	if log == nil {
		log = slog.Default()
	}
	in := &instance{id: id, opts: opts, env: env, log: log, out: &output{log: log},
		mixins: make(map[string]tentacle.Mixin), lifecycleMixins: make(map[string]bool)}
	for _, mx := range env.Mixins {
		name := wire.MixinName(mx.Type)
		in.mixins[name] = mx
		in.lifecycleMixins[name] = mx.Lifecycle
	}
	in.sentLevel = hostLevel(log) // startProcess tells the process
	in.watchLevel()
	var p *proc
	var err error
	unlabelled(func() {
		p, err = startProcess(ctx, id, exe, sha, opts.checks, in.out, hostService{in: in}, mixinDecls(env.Mixins), opts.StartTimeout, runs)
	})
	if err != nil {
		in.unwatchLevel()
		if lines := in.out.lines(); len(lines) > 0 {
			err = fmt.Errorf("%w; its last output: %s", err, lines[len(lines)-1])
		}
		return nil, err
	}
	in.mu.Lock()
	in.p = p
	in.mu.Unlock()
	def, err := in.definition(p.desc)
	if err != nil {
		in.unwatchLevel()
		p.stop()
		return nil, err
	}
	in.levelChanged() // a change while the process started
	in.def = def
	unlabelled(func() { go in.supervise(p) })
	return in, nil
}

// unlabelled runs fn on a goroutine without pprof labels, and passes a
// panic on. The manager loads a plugin under the plugin's goroutine label,
// so that the goroutines its code starts carry it and are counted as the
// plugin's; the goroutines this tier starts for a process (go-plugin's,
// gRPC's, the supervisor) are the host's, and run unlabelled.
func unlabelled(fn func()) {
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		pprof.SetGoroutineLabels(context.Background())
		fn()
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
}

// supervise notices the process ending on its own.
func (in *instance) supervise(p *proc) {
	<-p.exited
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return
	}
	in.crashed, in.exit = true, p.exitStatus()
	killed := in.killed
	in.mu.Unlock()
	err := fmt.Errorf("plugin process %d stopped on its own (%s)", p.pid(), in.exit)
	if killed != "" {
		err = fmt.Errorf("plugin process %d killed: %s", p.pid(), killed)
	}
	in.log.Error("plugin process crashed", "pid", p.pid(), "exit", in.exit, "last_lines", in.out.lines())
	if in.env.Crashed != nil {
		in.env.Crashed(err)
	}
}

// mixinDecls describes the host's mixins to a plugin's process, which
// detects them by their methods.
func mixinDecls(mixins []tentacle.Mixin) []*pluginpb.MixinDecl {
	out := make([]*pluginpb.MixinDecl, 0, len(mixins))
	for _, mx := range mixins {
		d := &pluginpb.MixinDecl{Name: wire.MixinName(mx.Type)}
		for _, m := range wire.Methods(mx.Type) {
			d.Methods = append(d.Methods, &pluginpb.MethodDecl{Name: m.Name, ShapeJson: m.Shape})
		}
		out = append(out, d)
	}
	return out
}

// definition builds the host's Definition of the plugin.
func (in *instance) definition(d *pluginpb.Description) (*tentacle.Definition, error) {
	for _, name := range d.Mixins {
		mx, ok := in.mixins[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("it reports mixin %s, which the host did not declare", name)
		case mx.Proxy == nil:
			return nil, fmt.Errorf("it implements %s, which the host cannot reach in a process of its own (the mixin has no proxy)", mx.Name())
		}
	}
	def := &tentacle.Definition{
		Name: d.Name, Version: d.Version, Description: d.Description, Author: d.Author, URL: d.Url,
		License: d.License, PrivacyPolicy: d.PrivacyPolicy, Compat: d.Compat, Hidden: d.Hidden,
		DisablingDiscouraged: d.DisablingDiscouraged,
	}
	fn := func(name string) func() error {
		if !slices.Contains(d.Functions, name) {
			return nil
		}
		return func() error {
			res, err := in.call(pluginpb.CallRequest_FUNCTION, name, in.opts.CallTimeout, nil)
			return remoteErr(res, err)
		}
	}
	def.Load, def.Unload, def.Enable, def.Disable = fn("Load"), fn("Unload"), fn("Enable"), fn("Disable")
	if slices.Contains(d.Functions, "Check") {
		def.Check = func() bool {
			res, err := in.call(pluginpb.CallRequest_FUNCTION, "Check", in.opts.CallTimeout, nil)
			if err := remoteErr(res, err); err != nil {
				panic(err)
			}
			var out []bool
			return json.Unmarshal(res.Results, &out) == nil && len(out) == 1 && out[0]
		}
	}
	if len(d.Hooks) > 0 {
		def.Hooks = tentacle.Hooks{}
	}
	for _, h := range d.Hooks {
		name := h.Name
		var handler any
		if t, ok := in.hookType(name); ok {
			if err := wire.Check(t); err != nil {
				return nil, fmt.Errorf("hook %s: process plugins cannot handle it: %w", name, err)
			}
			handler = in.hookFunc(t, name, in.hookTimeout(name), d).Interface()
			if misfit, ok := misfitHandler(h.ShapeJson, t); ok {
				handler = misfit
			}
		} else {
			handler = in.remoteFunc(pluginpb.CallRequest_HOOK, name, in.hookTimeout(name))
		}
		if len(h.FilterJson) > 0 {
			filter, err := in.decodeFilter(name, h.FilterJson)
			if err != nil {
				return nil, err
			}
			def.Hooks[name] = tentacle.HookHandler{Func: handler, Order: int(h.Order), Filter: filter}
		} else if h.HasOrder {
			def.Hooks[name] = tentacle.Hook(handler, int(h.Order))
		} else {
			def.Hooks[name] = handler
		}
	}
	if len(d.Helpers) > 0 {
		def.Helpers = tentacle.Helpers{}
	}
	for _, name := range d.Helpers {
		def.Helpers[name] = in.remoteFunc(pluginpb.CallRequest_HELPER, name, in.opts.CallTimeout)
	}
	if len(d.SettingsOverlayJson) > 0 {
		if err := json.Unmarshal(d.SettingsOverlayJson, &def.SettingsOverlay); err != nil {
			return nil, fmt.Errorf("settings overlay: %w", err)
		}
	}
	return def, nil
}

// decodeFilter decodes the filter of the plugin's handler of hook name
// into a value of the filter type the host declares for the hook.
func (in *instance) decodeFilter(name string, data []byte) (any, error) {
	var t reflect.Type
	ok := false
	if in.env.HookFilter != nil {
		t, ok = in.env.HookFilter(name)
	}
	if !ok {
		return nil, fmt.Errorf("hook %q: filter: the hook takes no filters", name)
	}
	v := reflect.New(t)
	if err := json.Unmarshal(data, v.Interface()); err != nil {
		return nil, fmt.Errorf("hook %q: filter: does not decode as %v: %w", name, t, err)
	}
	return v.Elem().Interface(), nil
}

func (in *instance) hookType(name string) (reflect.Type, bool) {
	if in.env.HookType == nil {
		return nil, false
	}
	return in.env.HookType(name)
}

// hookTimeout is the deadline of a call of the plugin's handler of hook.
func (in *instance) hookTimeout(hook string) time.Duration {
	var budget time.Duration
	if in.env.HookBudget != nil {
		budget = in.env.HookBudget(hook)
	}
	return in.opts.hookTimeout(hook, budget)
}

// misfitHandler returns, when the plugin's handler of shape shapeJSON does
// not fit the hook's declared type t, a handler of the plugin's shape, so
// that the host refuses it at register as it refuses any handler of the
// wrong type, naming the type the plugin has. It is never called.
func misfitHandler(shapeJSON string, t reflect.Type) (any, bool) {
	if shapeJSON == "" || shapeJSON == wire.ShapeJSON(t) {
		return nil, false
	}
	var s wire.Shape
	if err := json.Unmarshal([]byte(shapeJSON), &s); err != nil || s.Kind != "func" {
		// Not a func (nil when the plugin's handler is nil or the shape
		// unreadable): refused as such.
		return reflect.Zero(s.Type()).Interface(), true
	}
	return reflect.MakeFunc(s.Type(), func([]reflect.Value) []reflect.Value {
		panic("a handler that does not fit its hook was called")
	}).Interface(), true
}

func (in *instance) Definition() *tentacle.Definition {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.def
}

// As returns the proxy of mixin t ([tentacle.Mixin.Proxy]) when the
// plugin implements it, as it described itself.
func (in *instance) As(t reflect.Type) (any, bool) {
	in.mu.Lock()
	p := in.p
	in.mu.Unlock()
	name := wire.MixinName(t)
	mx, ok := in.mixins[name]
	if p == nil || !ok || mx.Proxy == nil || !slices.Contains(p.desc.Mixins, name) {
		return nil, false
	}
	return mx.Proxy(mixinCaller{in: in, mixin: name}), true
}

// Inject sends the context's identity to the process, which makes its own
// context whose settings, plugin manager and injectables reach back here.
func (in *instance) Inject(c *tentacle.Context) (bool, error) {
	in.mu.Lock()
	in.ctx = c
	in.gen, _ = c.Settings().(generational)
	in.mu.Unlock()
	var a wire.InjectArgs
	info := c.PluginInfo()
	a.Identifier = c.Identifier()
	a.Info.Identifier, a.Info.Name, a.Info.Version = info.Identifier, info.Name, info.Version
	a.Info.Bundled, a.Info.Origin, a.Info.Tier = info.Bundled, info.Origin, info.Tier
	a.BaseFolder = c.BaseFolder()
	a.DataFolder = in.env.DataFolder // created by the plugin's side when first asked
	a.Injected = crossing(c)
	b, err := json.Marshal([]wire.InjectArgs{a})
	if err != nil {
		return false, err
	}
	res, err := in.call(pluginpb.CallRequest_INJECT, "", in.opts.CallTimeout, b)
	if err := remoteErr(res, err); err != nil {
		return false, err
	}
	var ok []bool
	_ = json.Unmarshal(res.Results, &ok)
	return len(ok) == 1 && ok[0], nil
}

// crossing returns the names of the host's injectables in c that a plugin
// in a process of its own can call: values whose methods (at least one)
// all have arguments and results that cross (wire.Check). The plugin gets
// a tentacle.RemoteCaller for each; the others are nil there.
func crossing(c *tentacle.Context) []string {
	var out []string
	for _, name := range c.Injectables() {
		v := reflect.ValueOf(c.Injected(name))
		if !v.IsValid() || v.NumMethod() == 0 {
			continue
		}
		ok := true
		for i := range v.NumMethod() {
			if wire.Check(v.Method(i).Type()) != nil {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, name)
		}
	}
	return out
}

// context returns the latest injected context.
func (in *instance) context() *tentacle.Context {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.ctx
}

// Close stops the process.
func (in *instance) Close() error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil
	}
	in.closed = true
	p := in.p
	in.mu.Unlock()
	in.unwatchLevel()
	if p != nil {
		p.stop()
	}
	in.levelSends.Wait()
	return nil
}

// ProcessStatus implements tier.ProcessReporter.
func (in *instance) ProcessStatus() tier.ProcessStatus {
	in.mu.Lock()
	defer in.mu.Unlock()
	st := tier.ProcessStatus{Crashed: in.crashed, Exit: in.exit, Overruns: in.overruns.Load()}
	if in.p != nil && !in.closed && !in.crashed {
		st.PID = in.p.pid()
		st.Details = map[string]any{
			"direct_calls": in.p.direct.Load() != nil,             // the host calls it over a socket of its own, not gRPC
			"direct_host":  in.p.host.connected(),                 // its calls into the host come over the host's socket
			"features":     slices.Clone(in.p.desc.GetFeatures()), // what it speaks beyond the first protocol
		}
	}
	if in.crashed {
		st.LastLines = in.out.lines()
	}
	return st
}
