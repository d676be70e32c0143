package process

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// remoteFunc is a helper or an untyped hook handler of the plugin. Like
// the functions of wire.MakeFunc, it panics when the call fails (the
// process is gone, the call overran its deadline: a *wire.CallError; the
// plugin's code panicked: a *wire.RemotePanic), as the code would have
// panicked in process: the host recovers it where it calls plugin code
// (the manager's guard of helpers and of the handlers plugins call, the
// hook dispatch), which counts the fault against the plugin.
func (in *instance) remoteFunc(kind pluginpb.CallRequest_Kind, name string, timeout time.Duration) wire.RemoteFunc {
	return func(args ...any) ([]json.RawMessage, error) {
		b, err := wire.EncodeArgs(args)
		if err != nil {
			return nil, err
		}
		res, err := in.call(kind, name, timeout, b)
		if err != nil {
			panic(&wire.CallError{Err: err})
		}
		if res.Panicked != "" {
			panic(&wire.RemotePanic{Value: res.Panicked})
		}
		return res.Raw()
	}
}

// ErrOverrun is the failure of a call that did not answer in time.
var ErrOverrun error = overrun{}

type overrun struct{}

func (overrun) Error() string { return "overran its deadline" }

// Timeout reports that an overrun is a timeout, as net.Error does: the
// host's hook counts (hooks.Stats) tell overruns from other failures by it.
func (overrun) Timeout() bool { return true }

// lifecycle reports whether a call is part of the plugin's lifecycle: the
// Definition's functions, the injection, the methods of the mixins the host
// declares as lifecycle mixins ([tentacle.Mixin.Lifecycle]). A process that
// does not answer one in time is left in a state nothing can tell, half
// enabled or half disabled, and is killed; a hook handler or a helper that
// overruns only fails its call.
func (in *instance) lifecycle(kind pluginpb.CallRequest_Kind, target string) bool {
	switch kind {
	case pluginpb.CallRequest_FUNCTION, pluginpb.CallRequest_INJECT:
		return true
	case pluginpb.CallRequest_METHOD:
		if dot := strings.LastIndex(target, "."); dot >= 0 {
			return in.lifecycleMixins[target[:dot]]
		}
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

// generational is a plugin's settings view that knows its store's
// generation (settings.PluginSettings).
// Each call carries the generation of the plugin's settings (0 without a
// context yet, or with settings that do not count their changes).
type generational interface{ Generation() uint64 }

// call calls into the process with a deadline.
func (in *instance) call(kind pluginpb.CallRequest_Kind, target string, timeout time.Duration, args []byte) (wire.Result, error) {
	resp, err := in.send(&pluginpb.CallRequest{Kind: kind, Target: target, ArgsJson: args}, timeout)
	if err != nil {
		return wire.Result{}, err
	}
	return resultOf(resp), nil
}

// resultOf is the outcome of a call as package wire takes it.
func resultOf(resp *pluginpb.CallResponse) wire.Result {
	return wire.Result{Results: resp.ResultsJson, Err: resp.Error, HasErr: resp.HasError, Status: int(resp.ErrorStatus), Panicked: resp.Panic}
}

// send sends req into the process with a deadline; a failure names the
// plugin, the call's kind and target.
func (in *instance) send(req *pluginpb.CallRequest, timeout time.Duration) (*pluginpb.CallResponse, error) {
	kind, target := req.Kind, req.Target
	in.mu.Lock()
	p, closed, crashed, exit, killed, gen := in.p, in.closed, in.crashed, in.exit, in.killed, in.gen
	in.mu.Unlock()
	switch {
	case closed:
		return nil, fmt.Errorf("plugin %q: %w (unloaded)", in.id, errNotRunning)
	case crashed:
		return nil, fmt.Errorf("plugin %q: %w (%s)", in.id, errNotRunning, exit)
	case killed != "":
		return nil, fmt.Errorf("plugin %q: %w (killed: %s)", in.id, errNotRunning, killed)
	}
	if gen != nil {
		req.SettingsGeneration = gen.Generation()
	}
	resp, overrun, err := p.call(req, timeout)
	if err != nil {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("plugin %q: %s %s: %w (%s)", in.id, kind, target, errNotRunning, p.exitStatus())
		default:
		}
		if overrun {
			in.overruns.Add(1)
			n := in.streak.Add(1)
			err := fmt.Errorf("plugin %q: %s %s %w of %s", in.id, kind, target, ErrOverrun, timeout)
			switch {
			case in.lifecycle(kind, target):
				in.kill(p, fmt.Sprintf("its %s %s call overran its deadline of %s", kind, target, timeout))
				err = fmt.Errorf("%w; its process is killed", err)
			case in.opts.HungAfter > 0 && n >= int64(in.opts.HungAfter):
				in.kill(p, fmt.Sprintf("it stopped answering: %d calls in a row overran their deadlines, the last %s %s", n, kind, target))
				err = fmt.Errorf("%w; %d in a row: its process is killed", err, n)
			}
			return nil, err
		}
		return nil, fmt.Errorf("plugin %q: %s %s: %w", in.id, kind, target, err)
	}
	if in.streak.Load() != 0 {
		in.streak.Store(0) // answered in time: the count of overruns in a row starts again
	}
	return resp, nil
}
