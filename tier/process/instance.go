package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/host"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/process/pluginpb"
	"github.com/tentacle-go/tentacle/tier/process/wire"
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
	closed  bool
	crashed bool
	exit    string
	killed  string // why the host killed the process, if it did

	overruns atomic.Int64
	streak   atomic.Int64 // calls in a row that overran; reset by one in time
}

var (
	_ tier.Instance        = (*instance)(nil)
	_ tier.ProcessReporter = (*instance)(nil)
)

// load starts the plugin's process and builds its Definition from what it
// describes: its functions, hook handlers and helpers are proxies that call
// into the process.
func load(ctx context.Context, id, exe, sha string, env tier.Env, opts *Options) (tier.Instance, error) {
	log := env.Logger
	if log == nil {
		log = slog.Default()
	}
	in := &instance{id: id, opts: opts, env: env, log: log, out: &output{log: log}}
	var p *proc
	var err error
	unlabelled(func() { p, err = startProcess(ctx, id, exe, sha, in.out, hostService{in: in}, opts.StartTimeout) })
	if err != nil {
		if lines := in.out.lines(); len(lines) > 0 {
			err = fmt.Errorf("%w; its last output: %s", err, lines[len(lines)-1])
		}
		return nil, err
	}
	in.p = p
	def, err := in.definition(p.desc)
	if err != nil {
		p.stop()
		return nil, err
	}
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

// definition builds the host's Definition of the plugin.
func (in *instance) definition(d *pluginpb.Description) (*tentacle.Definition, error) {
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
			timeout := in.hookTimeout(name)
			handler = wire.MakeFunc(t, func(args []byte) (wire.Result, error) {
				return in.call(pluginpb.CallRequest_HOOK, name, timeout, args)
			}).Interface()
			if misfit, ok := misfitHandler(h.ShapeJson, t); ok {
				handler = misfit
			}
		} else {
			handler = in.remoteFunc(pluginpb.CallRequest_HOOK, name, in.hookTimeout(name))
		}
		if h.HasOrder {
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

// remoteFunc is a helper or an untyped hook handler of the plugin. Like
// the functions of wire.MakeFunc, it panics when the call fails (the
// process is gone, the call overran its deadline, the plugin's code
// panicked), as the code would have panicked in process: the host recovers
// it where it calls plugin code (the manager's guard of helpers, the hook
// dispatch), which counts the fault against the plugin.
func (in *instance) remoteFunc(kind pluginpb.CallRequest_Kind, name string, timeout time.Duration) wire.RemoteFunc {
	return func(args ...any) ([]json.RawMessage, error) {
		b, err := json.Marshal(args)
		if err != nil {
			return nil, err
		}
		res, err := in.call(kind, name, timeout, b)
		if err != nil {
			panic(err)
		}
		if res.Panicked != "" {
			panic(&wire.RemotePanic{Value: res.Panicked})
		}
		var out []json.RawMessage
		if len(res.Results) > 0 {
			if err := json.Unmarshal(res.Results, &out); err != nil {
				return nil, err
			}
		}
		if res.HasErr {
			return out, &wire.RemoteError{Message: res.Err}
		}
		return out, nil
	}
}

// remoteErr turns a call's outcome into the error of a function that
// returns only an error; a remote panic panics here too, so that the
// manager records it as a panic.
func remoteErr(res wire.Result, err error) error {
	switch {
	case err != nil:
		panic(err)
	case res.Panicked != "":
		panic(&wire.RemotePanic{Value: res.Panicked})
	case res.HasErr:
		return &wire.RemoteError{Message: res.Err}
	}
	return nil
}

// ErrOverrun is the failure of a call that did not answer in time.
var ErrOverrun = errors.New("overran its deadline")

// lifecycleMethods are the mixin methods called while the plugin is
// enabled, disabled, migrated, uninstalled, or the host starts or stops.
var lifecycleMethods = map[string]bool{
	m[tentacle.Initializer]("Initialize"):                     true,
	m[tentacle.EnableListener]("OnPluginEnabled"):             true,
	m[tentacle.DisableListener]("OnPluginDisabled"):           true,
	m[tentacle.UninstallListener]("OnPluginPendingUninstall"): true,
	m[tentacle.SettingsPlugin]("SettingsDefaults"):            true,
	m[tentacle.SettingsMigrator]("SettingsVersion"):           true,
	m[tentacle.SettingsMigrator]("OnSettingsMigrate"):         true,
	m[host.Startup]("OnStartup"):                              true,
	m[host.AfterStartup]("OnAfterStartup"):                    true,
	m[host.Shutdown]("OnShutdown"):                            true,
}

// lifecycle reports whether a call is part of the plugin's lifecycle: the
// Definition's functions, the injection, the lifecycle mixin methods. A
// process that does not answer one in time is left in a state nothing can
// tell, half enabled or half disabled, and is killed; a hook handler or a
// helper that overruns only fails its call.
func lifecycle(kind pluginpb.CallRequest_Kind, target string) bool {
	switch kind {
	case pluginpb.CallRequest_FUNCTION, pluginpb.CallRequest_INJECT:
		return true
	case pluginpb.CallRequest_METHOD:
		return lifecycleMethods[target]
	}
	return false
}

// kill kills the process for reason; its end is then reported as a crash,
// so that the manager restarts it with a fresh process.
func (in *instance) kill(p *proc, reason string) {
	in.mu.Lock()
	if in.closed || in.crashed || in.killed != "" || in.p != p {
		in.mu.Unlock()
		return
	}
	in.killed = reason
	in.mu.Unlock()
	in.log.Error("plugin process killed", "pid", p.pid(), "reason", reason)
	p.kill()
}

// call calls into the process with a deadline.
func (in *instance) call(kind pluginpb.CallRequest_Kind, target string, timeout time.Duration, args []byte) (wire.Result, error) {
	in.mu.Lock()
	p, closed, crashed, exit, killed := in.p, in.closed, in.crashed, in.exit, in.killed
	in.mu.Unlock()
	switch {
	case closed:
		return wire.Result{}, fmt.Errorf("plugin %q: %w (unloaded)", in.id, errNotRunning)
	case crashed:
		return wire.Result{}, fmt.Errorf("plugin %q: %w (%s)", in.id, errNotRunning, exit)
	case killed != "":
		return wire.Result{}, fmt.Errorf("plugin %q: %w (killed: %s)", in.id, errNotRunning, killed)
	}
	req := &pluginpb.CallRequest{Kind: kind, Target: target, ArgsJson: args}
	resp, overrun, err := p.call(req, timeout)
	if err != nil {
		select {
		case <-p.exited:
			return wire.Result{}, fmt.Errorf("plugin %q: %s %s: %w (%s)", in.id, kind, target, errNotRunning, p.exitStatus())
		default:
		}
		if overrun {
			in.overruns.Add(1)
			n := in.streak.Add(1)
			err := fmt.Errorf("plugin %q: %s %s %w of %s", in.id, kind, target, ErrOverrun, timeout)
			switch {
			case lifecycle(kind, target):
				in.kill(p, fmt.Sprintf("its %s %s call overran its deadline of %s", kind, target, timeout))
				err = fmt.Errorf("%w; its process is killed", err)
			case in.opts.HungAfter > 0 && n >= int64(in.opts.HungAfter):
				in.kill(p, fmt.Sprintf("it stopped answering: %d calls in a row overran their deadlines, the last %s %s", n, kind, target))
				err = fmt.Errorf("%w; %d in a row: its process is killed", err, n)
			}
			return wire.Result{}, err
		}
		return wire.Result{}, fmt.Errorf("plugin %q: %s %s: %w", in.id, kind, target, err)
	}
	in.streak.Store(0)
	return wire.Result{Results: resp.ResultsJson, Err: resp.Error, HasErr: resp.HasError, Panicked: resp.Panic}, nil
}

func (in *instance) Definition() *tentacle.Definition {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.def
}

// As returns a proxy of mixin t when the plugin implements it (as it
// described itself) and the host has a proxy for t.
func (in *instance) As(t reflect.Type) (any, bool) {
	in.mu.Lock()
	p := in.p
	in.mu.Unlock()
	if p == nil || !slices.Contains(p.desc.Mixins, wire.MixinName(t)) {
		return nil, false
	}
	mk, ok := in.opts.proxy(t)
	if !ok {
		in.log.Warn("the plugin implements a mixin the host cannot reach in a process", "mixin", t.String())
		return nil, false
	}
	return mk(proxyCaller{in: in}), true
}

// Inject sends the context's identity to the process, which makes its own
// context whose settings, plugin manager and injectables reach back here.
func (in *instance) Inject(c *tentacle.Context) (bool, error) {
	in.mu.Lock()
	in.ctx = c
	in.mu.Unlock()
	var a wire.InjectArgs
	info := c.PluginInfo()
	a.Identifier = c.Identifier()
	a.Info.Identifier, a.Info.Name, a.Info.Version = info.Identifier, info.Name, info.Version
	a.Info.Bundled, a.Info.Origin, a.Info.Tier = info.Bundled, info.Origin, info.Tier
	a.BaseFolder = c.BaseFolder()
	a.DataFolder = in.env.DataFolder // created by the plugin's side when first asked
	for _, name := range []string{host.InjectEventBus, host.InjectMessages} {
		if c.Injected(name) != nil {
			a.Injected = append(a.Injected, name)
		}
	}
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
	if p != nil {
		p.stop()
	}
	return nil
}

// ProcessStatus implements tier.ProcessReporter.
func (in *instance) ProcessStatus() tier.ProcessStatus {
	in.mu.Lock()
	defer in.mu.Unlock()
	st := tier.ProcessStatus{Crashed: in.crashed, Exit: in.exit, Overruns: in.overruns.Load()}
	if in.p != nil && !in.closed && !in.crashed {
		st.PID = in.p.pid()
		st.DirectCalls = in.p.direct.Load() != nil
	}
	if in.crashed {
		st.LastLines = in.out.lines()
	}
	return st
}
