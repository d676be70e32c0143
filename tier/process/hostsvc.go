package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// hostService is what a plugin process can ask of the host, on behalf of
// its plugin: answered from the context the manager injected last.
type hostService struct {
	pluginpb.UnimplementedHostServer
	in *instance
}

var errNotInjected = errors.New("the plugin has no context yet (it is injected on enable)")

func (h hostService) context() (*tentacle.Context, error) {
	if h.in == nil {
		return nil, errNotInjected
	}
	c := h.in.context()
	if c == nil {
		return nil, errNotInjected
	}
	return c, nil
}

func (h hostService) Settings(_ context.Context, req *pluginpb.SettingsRequest) (*pluginpb.SettingsResponse, error) {
	c, err := h.context()
	if err != nil {
		return &pluginpb.SettingsResponse{Error: err.Error()}, nil
	}
	s := c.Settings()
	var value any
	if len(req.ValueJson) > 0 {
		if err := json.Unmarshal(req.ValueJson, &value); err != nil {
			return &pluginpb.SettingsResponse{Error: "value: " + err.Error()}, nil
		}
		value = wire.WholeNumbers(value)
	}
	var out any
	found := true
	switch req.Op {
	case "get":
		out = s.Get(req.Path)
		found = out != nil
	case "has":
		found = s.Has(req.Path)
	case "all":
		out = s.All()
	case "global_get":
		out = s.GlobalGet(req.Path)
		found = out != nil
	case "set":
		err = s.Set(req.Path, value)
	case "global_set":
		err = s.GlobalSet(req.Path, value)
	case "remove":
		err = s.Remove(req.Path)
	case "save":
		err = s.Save()
	default:
		err = fmt.Errorf("unknown settings operation %q", req.Op)
	}
	resp := &pluginpb.SettingsResponse{Found: found}
	if err != nil {
		resp.Error = err.Error()
	}
	if out != nil {
		if resp.ValueJson, err = json.Marshal(out); err != nil {
			resp.Error = err.Error()
		}
	}
	return resp, nil
}

func (h hostService) Manager(_ context.Context, req *pluginpb.ManagerRequest) (*pluginpb.ManagerResponse, error) {
	c, err := h.context()
	if err != nil {
		return nil, err
	}
	pm := c.PluginManager()
	var out any
	switch req.Op {
	case "plugin":
		if info, ok := pm.Plugin(req.Plugin); ok {
			out = info
		}
	case "plugins":
		out = pm.Plugins()
	case "is_enabled":
		out = pm.IsEnabled(req.Plugin)
	case "helpers":
		if hs := pm.Helpers(req.Plugin, req.Names...); hs != nil {
			names := make([]string, 0, len(hs))
			for name := range hs {
				names = append(names, name)
			}
			out = names
		}
	case "handlers":
		type entry struct {
			Plugin string
			Order  int
		}
		var entries []entry
		for _, e := range pm.Handlers(req.Plugin) {
			entries = append(entries, entry{e.Plugin, e.Order})
		}
		out = entries
	default:
		return nil, fmt.Errorf("unknown manager operation %q", req.Op)
	}
	b, err := json.Marshal(out)
	return &pluginpb.ManagerResponse{ResultJson: b}, err
}

// CallHelper calls another plugin's helper, or its handler of a hook
// (req.Hook), for the plugin. The helpers and handlers the plugin manager
// hands out are guarded: a failure in one (a panic, a call into its
// plugin's process that overran or found it gone) is recovered there and
// counted against its own plugin, and comes back here as zero values, with
// the error as the final result of a function that has one, or, from
// another process plugin's function, as a *wire.Recovered, which the
// answer carries as its panic: the calling plugin's side returns it as
// its error result, and zero values without one, as a plugin of any tier
// gets them. A panic that reaches this far anyway (a bug, not the calling
// plugin's) fails the call instead of taking the host down.
func (h hostService) CallHelper(_ context.Context, req *pluginpb.HelperRequest) (resp *pluginpb.CallResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("call of %s: %v", helperName(req), r)
		}
	}()
	c, err := h.context()
	if err != nil {
		return nil, err
	}
	fn, err := target(c.PluginManager(), req)
	if err != nil {
		return nil, err
	}
	if rf, ok := fn.(wire.RemoteFunc); ok { // another process plugin's
		var args []any
		if err := wire.Unmarshal(req.ArgsJson, &args); err != nil {
			return nil, err
		}
		return remoteResponse(rf(args...))
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		b, err := json.Marshal([]any{fn})
		return &pluginpb.CallResponse{ResultsJson: b}, err
	}
	res, err := wire.Call(v, req.ArgsJson, nil)
	if err != nil {
		return nil, err
	}
	return callResponse(res), nil
}

// helperName names what a HelperRequest calls, for errors.
func helperName(req *pluginpb.HelperRequest) string {
	if req.Hook != "" {
		return fmt.Sprintf("plugin %q's handler of hook %q", req.Plugin, req.Hook)
	}
	return fmt.Sprintf("helper %q of plugin %q", req.Helper, req.Plugin)
}

// target finds the helper or the hook handler a HelperRequest names.
func target(pm tentacle.PluginManager, req *pluginpb.HelperRequest) (any, error) {
	if req.Hook != "" {
		for _, e := range pm.Handlers(req.Hook) {
			if e.Plugin == req.Plugin {
				return e.Func, nil
			}
		}
		return nil, fmt.Errorf("plugin %q has no handler of hook %q", req.Plugin, req.Hook)
	}
	fn, ok := pm.Helpers(req.Plugin, req.Helper)[req.Helper]
	if !ok {
		return nil, fmt.Errorf("no helper %q of an enabled plugin %q", req.Helper, req.Plugin)
	}
	return fn, nil
}

// remoteResponse is the answer of a call of another process plugin's
// function: its results, the error it returned, or its failure, which the
// manager's guard recovered and recorded against that plugin (a
// *wire.Recovered), as the answer's panic. Any other error (its arguments
// did not encode) fails the call.
func remoteResponse(out []json.RawMessage, err error) (*pluginpb.CallResponse, error) {
	resp := &pluginpb.CallResponse{}
	var rec *wire.Recovered
	var re *wire.RemoteError
	switch {
	case errors.As(err, &rec):
		resp.Panic = rec.Err.Error()
		return resp, nil
	case errors.As(err, &re):
		resp.Error, resp.HasError, resp.ErrorStatus = re.Message, true, int32(re.Status)
	case err != nil:
		return nil, err
	}
	var merr error
	resp.ResultsJson, merr = json.Marshal(out)
	return resp, merr
}

// callResponse is the answer of a call made here.
func callResponse(res wire.Result) *pluginpb.CallResponse {
	return &pluginpb.CallResponse{ResultsJson: res.Results, Error: res.Err, HasError: res.HasErr,
		ErrorStatus: int32(res.Status), Panic: res.Panicked}
}

// Invoke calls a method of one of the host's injectables
// (req.Injectable), or a function the host offers by name
// (Options.Functions).
func (h hostService) Invoke(_ context.Context, req *pluginpb.InvokeRequest) (*pluginpb.InvokeResponse, error) {
	if req.Injectable != "" {
		return h.invokeInjectable(req)
	}
	if h.in == nil {
		return &pluginpb.InvokeResponse{Error: errNotInjected.Error()}, nil
	}
	fn, ok := h.in.opts.Functions[req.Name]
	if !ok {
		return &pluginpb.InvokeResponse{Error: fmt.Sprintf("the host offers no function %q", req.Name)}, nil
	}
	out, err := fn(req.ArgsJson)
	if err != nil {
		return &pluginpb.InvokeResponse{Error: err.Error()}, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return &pluginpb.InvokeResponse{Error: err.Error()}, nil
	}
	return &pluginpb.InvokeResponse{ResultJson: b}, nil
}

// invokeInjectable calls method req.Name of the injectable req.Injectable
// of the plugin's context; its results go back as a JSON array.
func (h hostService) invokeInjectable(req *pluginpb.InvokeRequest) (*pluginpb.InvokeResponse, error) {
	c, err := h.context()
	if err != nil {
		return &pluginpb.InvokeResponse{Error: err.Error()}, nil
	}
	if !slices.Contains(crossing(c), req.Injectable) {
		return &pluginpb.InvokeResponse{Error: fmt.Sprintf("the host has no injectable %q a process plugin can call", req.Injectable)}, nil
	}
	m := reflect.ValueOf(c.Injected(req.Injectable)).MethodByName(req.Name)
	if !m.IsValid() {
		return &pluginpb.InvokeResponse{Error: fmt.Sprintf("injectable %q has no method %q", req.Injectable, req.Name)}, nil
	}
	res, err := wire.Call(m, req.ArgsJson, nil)
	switch {
	case err != nil:
		return &pluginpb.InvokeResponse{Error: err.Error()}, nil
	case res.Panicked != "":
		return &pluginpb.InvokeResponse{Error: "panic: " + res.Panicked}, nil
	case res.HasErr:
		return &pluginpb.InvokeResponse{ResultJson: res.Results, Error: res.Err}, nil
	}
	return &pluginpb.InvokeResponse{ResultJson: res.Results}, nil
}
