package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
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

// CallHelper calls another plugin's helper for the plugin.
func (h hostService) CallHelper(_ context.Context, req *pluginpb.HelperRequest) (*pluginpb.CallResponse, error) {
	c, err := h.context()
	if err != nil {
		return nil, err
	}
	fn, ok := c.PluginManager().Helpers(req.Plugin, req.Helper)[req.Helper]
	if !ok {
		return nil, fmt.Errorf("no helper %q of an enabled plugin %q", req.Helper, req.Plugin)
	}
	if rf, ok := fn.(wire.RemoteFunc); ok { // another process plugin's
		var args []any
		if err := json.Unmarshal(req.ArgsJson, &args); err != nil {
			return nil, err
		}
		out, err := rf(args...)
		resp := &pluginpb.CallResponse{}
		resp.ResultsJson, _ = json.Marshal(out)
		var re *wire.RemoteError
		switch {
		case errors.As(err, &re):
			resp.Error, resp.HasError = re.Message, true
		case err != nil:
			resp.Panic = err.Error()
		}
		return resp, nil
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		b, err := json.Marshal([]any{fn})
		return &pluginpb.CallResponse{ResultsJson: b}, err
	}
	res, err := wire.Call(v, req.ArgsJson)
	if err != nil {
		return nil, err
	}
	return &pluginpb.CallResponse{ResultsJson: res.Results, Error: res.Err, HasError: res.HasErr, Panic: res.Panicked}, nil
}

func (h hostService) Fire(_ context.Context, req *pluginpb.FireRequest) (*pluginpb.Empty, error) {
	c, err := h.context()
	if err != nil {
		return nil, err
	}
	bus, ok := c.Injected(server.InjectEventBus).(server.EventBus)
	if !ok {
		return nil, errors.New("this host has no event bus")
	}
	var payload map[string]any
	if len(req.PayloadJson) > 0 {
		if err := json.Unmarshal(req.PayloadJson, &payload); err != nil {
			return nil, err
		}
	}
	bus.Fire(req.Event, payload)
	return &pluginpb.Empty{}, nil
}

// Invoke calls a host function by name.
func (h hostService) Invoke(_ context.Context, req *pluginpb.InvokeRequest) (*pluginpb.InvokeResponse, error) {
	if req.Name == wire.InvokePluginMessage {
		c, err := h.context()
		if err != nil {
			return &pluginpb.InvokeResponse{Error: err.Error()}, nil
		}
		var args []any
		if err := json.Unmarshal(req.ArgsJson, &args); err != nil || len(args) != 1 {
			return &pluginpb.InvokeResponse{Error: "a plugin message is one value"}, nil
		}
		if msg, ok := c.Injected(server.InjectMessages).(server.Messenger); ok {
			msg.SendPluginMessage(args[0])
		}
		return &pluginpb.InvokeResponse{}, nil
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
