package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// callTimeout bounds a call to the host.
const callTimeout = 10 * time.Second

func hostCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

var errNoHost = errors.New("not connected to the host")

// remoteSettings are the plugin's settings, kept by the host; reads made
// while a call from the host is in flight are kept in cache for that call's
// settings generation.
type remoteSettings struct {
	hc    hostClient
	cache *settingsCache // nil: none
}

var _ tentacle.Settings = (*remoteSettings)(nil)

func (s *remoteSettings) do(op, path string, value any) (any, bool, error) {
	if s.hc == nil {
		return nil, false, errNoHost
	}
	req := &lean.SettingsRequest{Op: op, Path: path}
	if value != nil || op == "set" || op == "global_set" {
		b, err := json.Marshal(value)
		if err != nil {
			return nil, false, fmt.Errorf("settings %s %s: %w", op, path, err)
		}
		req.ValueJson = b
	}
	resp, err := s.ask(req)
	if err != nil {
		return nil, false, fmt.Errorf("settings %s %s: %w", op, path, err)
	}
	if resp.Error != "" {
		return nil, false, errors.New(resp.Error)
	}
	var v any
	if len(resp.ValueJson) > 0 {
		if err := json.Unmarshal(resp.ValueJson, &v); err != nil {
			return nil, false, err
		}
	}
	return wire.WholeNumbers(v), resp.Found, nil
}

// ask asks the host, or answers a read from the cache.
func (s *remoteSettings) ask(req *lean.SettingsRequest) (*lean.SettingsResponse, error) {
	read := s.cache != nil && cacheable(req.Op)
	var gen uint64
	if read {
		if r, ok := s.cache.get(req.Op, req.Path); ok {
			return r, nil
		}
		gen = s.cache.generation()
	}
	ctx, cancel := hostCtx()
	defer cancel()
	resp, err := s.hc.Settings(ctx, req)
	switch {
	case err != nil:
	case read && resp.Error == "":
		s.cache.put(gen, req.Op, req.Path, resp)
	case s.cache != nil && !cacheable(req.Op):
		s.cache.drop() // a write: what was read may have changed
	}
	return resp, err
}

func (s *remoteSettings) Get(path string) any { v, _, _ := s.do("get", path, nil); return v }

func (s *remoteSettings) GetString(path string) string { v, _ := s.Get(path).(string); return v }

func (s *remoteSettings) GetInt(path string) int {
	switch v := s.Get(path).(type) {
	case int:
		return v
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	}
	return 0
}

func (s *remoteSettings) GetFloat(path string) float64 {
	switch v := s.Get(path).(type) {
	case int:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

func (s *remoteSettings) GetBool(path string) bool { v, _ := s.Get(path).(bool); return v }

func (s *remoteSettings) Has(path string) bool { _, ok, _ := s.do("has", path, nil); return ok }

func (s *remoteSettings) Set(path string, value any) error {
	_, _, err := s.do("set", path, value)
	return err
}

func (s *remoteSettings) Remove(path string) error {
	_, _, err := s.do("remove", path, nil)
	return err
}

func (s *remoteSettings) All() map[string]any {
	v, _, _ := s.do("all", "", nil)
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func (s *remoteSettings) Save() error { _, _, err := s.do("save", "", nil); return err }

func (s *remoteSettings) GlobalGet(path string) any {
	v, _, _ := s.do("global_get", path, nil)
	return v
}

func (s *remoteSettings) GlobalSet(path string, value any) error {
	_, _, err := s.do("global_set", path, value)
	return err
}

// remoteManager is the plugin manager, asked through the host.
type remoteManager struct{ hc hostClient }

var _ tentacle.PluginManager = remoteManager{}

func (m remoteManager) ask(op, plugin string, names []string, out any) bool {
	if m.hc == nil {
		return false
	}
	ctx, cancel := hostCtx()
	defer cancel()
	resp, err := m.hc.Manager(ctx, &lean.ManagerRequest{Op: op, Plugin: plugin, Names: names})
	if err != nil {
		return false
	}
	return json.Unmarshal(resp.ResultJson, out) == nil
}

// Helpers returns, for each named helper of an enabled plugin, a function
// that calls it through the host; its Go type is not known in this
// process: call it through Helper.
func (m remoteManager) Helpers(id string, names ...string) map[string]any {
	var have []string
	if !m.ask("helpers", id, names, &have) || have == nil {
		return nil
	}
	out := make(map[string]any, len(have))
	for _, name := range have {
		out[name] = m.remote(id, name, "")
	}
	return out
}

// Helper sets *fnPtr to a function of its type that calls the helper
// through the host.
func (m remoteManager) Helper(id, name string, fnPtr any) error {
	var have []string
	if !m.ask("helpers", id, []string{name}, &have) || len(have) != 1 {
		return fmt.Errorf("helper %q of plugin %q: %w: the plugin is unknown, not enabled or has no helper of that name", name, id, tentacle.ErrNoHelper)
	}
	if err := wire.Assign(m.remote(id, name, ""), fnPtr); err != nil {
		return fmt.Errorf("helper %q of plugin %q: %w: %w", name, id, tentacle.ErrNoHelper, err)
	}
	return nil
}

// remote returns a function that calls plugin id's helper name, or its
// handler of hook, through the host.
func (m remoteManager) remote(id, name, hook string) wire.RemoteFunc {
	return func(args ...any) ([]json.RawMessage, error) { return callHelper(m.hc, id, name, hook, args) }
}

func (m remoteManager) Plugin(id string) (tentacle.PluginInfo, bool) {
	var info *tentacle.PluginInfo
	if !m.ask("plugin", id, nil, &info) || info == nil {
		return tentacle.PluginInfo{}, false
	}
	return *info, true
}

func (m remoteManager) Plugins() []tentacle.PluginInfo {
	var out []tentacle.PluginInfo
	m.ask("plugins", "", nil, &out)
	return out
}

func (m remoteManager) IsEnabled(id string) bool {
	var ok bool
	m.ask("is_enabled", id, nil, &ok)
	return ok
}

// Handlers returns a hook's handlers in call order. Each one's Func calls
// it through the host: get it as a function of the hook's type with
// tentacle.HookEntry.As.
func (m remoteManager) Handlers(hook string) []tentacle.HookEntry {
	var out []tentacle.HookEntry
	m.ask("handlers", hook, nil, &out)
	for i := range out {
		out[i].Func = m.remote(out[i].Plugin, "", hook)
	}
	return out
}

func callHelper(hc hostClient, plugin, helper, hook string, args []any) ([]json.RawMessage, error) {
	if hc == nil {
		return nil, errNoHost
	}
	b, err := wire.EncodeArgs(args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := hostCtx()
	defer cancel()
	resp, err := hc.CallHelper(ctx, &lean.HelperRequest{Plugin: plugin, Helper: helper, Hook: hook, ArgsJson: b})
	if err != nil {
		return nil, err
	}
	if resp.Panic != "" {
		// The function failed (it panicked, its process overran or was
		// gone), and the host recorded that against its plugin: the caller
		// gets the failure as its error result, or zero values.
		return nil, &wire.Recovered{Err: &wire.RemoteError{Message: resp.Panic}}
	}
	return wire.Result{Results: resp.ResultsJson, Err: resp.Error, HasErr: resp.HasError, Status: int(resp.ErrorStatus)}.Raw()
}

// remoteInjectable is one of the host's injectables, as a plugin in a
// process of its own gets it: its methods are called in the host. A call
// that fails returns the failure as its error (see tentacle.RemoteCaller).
type remoteInjectable struct {
	hc   hostClient
	name string
}

var _ tentacle.RemoteCaller = remoteInjectable{}

func (r remoteInjectable) Call(method string, args []any, results ...any) error {
	if r.hc == nil {
		return errNoHost
	}
	if args == nil {
		args = []any{}
	}
	b, err := wire.EncodeArgs(args)
	if err != nil {
		return fmt.Errorf("%s.%s: arguments: %w", r.name, method, err)
	}
	ctx, cancel := hostCtx()
	defer cancel()
	resp, err := r.hc.Invoke(ctx, &lean.InvokeRequest{Injectable: r.name, Name: method, ArgsJson: b})
	if err != nil {
		return fmt.Errorf("%s.%s: %w", r.name, method, err)
	}
	if len(results) > 0 {
		var raw []json.RawMessage
		if err := json.Unmarshal(resp.ResultJson, &raw); err != nil || len(raw) != len(results) {
			return fmt.Errorf("%s.%s: %d results, want %d", r.name, method, len(raw), len(results))
		}
		for i, out := range results {
			if err := wire.Unmarshal(raw[i], out); err != nil {
				return fmt.Errorf("%s.%s: result %d: %w", r.name, method, i, err)
			}
		}
	}
	if resp.Error != "" {
		return errors.New(resp.Error)
	}
	return nil
}

// Invoke calls a function the host offers by name (a host's own extension),
// with arguments and a result as JSON.
func Invoke(name string, args ...any) (json.RawMessage, error) {
	return invoke(current.host(), name, args...)
}

// invoke calls the host's function name through hc.
func invoke(hc hostClient, name string, args ...any) (json.RawMessage, error) {
	if hc == nil {
		return nil, errNoHost
	}
	b, err := wire.EncodeArgs(args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := hostCtx()
	defer cancel()
	resp, err := hc.Invoke(ctx, &lean.InvokeRequest{Name: name, ArgsJson: b})
	if err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return resp.ResultJson, errors.New(resp.Error)
	}
	return resp.ResultJson, nil
}
