package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/internal/serve"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/settings"
)

// remote is a running tentacle server, reached over its HTTP API with the
// API key from config.yaml.
type remote struct {
	base   string
	apiKey string
	// configErr is set when config.yaml does not parse: the API key cannot
	// be read from it.
	configErr error
	client    *http.Client
}

// dialServer returns the server running on the base directory, or nil when
// none is. A running server says where it listens in the base directory's
// run file, with an instance identifier that its GET /api/server must
// repeat: a stale run file, or another server on the same address, is not
// taken for it.
func (o *options) dialServer(ctx context.Context) (*remote, error) {
	dir, err := o.baseDir()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, serve.RunFile))
	if err != nil {
		return nil, nil // no server runs here: work offline
	}
	var ri serve.RunInfo
	if json.Unmarshal(data, &ri) != nil || !strings.HasPrefix(ri.URL, "http://") {
		return nil, nil
	}
	st, err := settings.Open(filepath.Join(dir, "config.yaml"), nil)
	var perr *settings.ParseError
	if err != nil && !errors.As(err, &perr) {
		return nil, err
	}
	r := &remote{
		base:   ri.URL,
		apiKey: st.GetString("api.key"),
		client: &http.Client{Timeout: 30 * time.Second},
	}
	if perr != nil {
		r.configErr = perr
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	// Asked without the key: the server answers a wrong one with 403, and a
	// key that is not the server's (config.yaml changed behind its back)
	// must fail the commands, not make them work offline.
	probe := *r
	probe.apiKey = ""
	var info serve.ServerInfo
	if err := probe.do(pctx, http.MethodGet, "/api/server", nil, &info); err != nil || info.Instance != ri.Instance {
		return nil, nil // gone, or not this base directory's server
	}
	return r, nil
}

func (r *remote) close() {}

// remoteError is an error answer of the server.
type remoteError struct {
	status  int
	message string
}

func (e *remoteError) Error() string { return e.message }

// do sends a request and decodes the JSON answer into out.
func (r *remote) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.apiKey != "" {
		req.Header.Set("X-Api-Key", r.apiKey)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("server at %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("server at %s: %w", r.base, err)
	}
	if resp.StatusCode >= 400 {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("server at %s answered %s", r.base, resp.Status)
		}
		if resp.StatusCode == http.StatusUnauthorized && r.configErr != nil {
			e.Error = fmt.Sprintf("the server needs its API key, which cannot be read because %v", r.configErr)
		}
		return &remoteError{status: resp.StatusCode, message: e.Error}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("server at %s: unexpected answer to %s %s: %w", r.base, method, path, err)
	}
	return nil
}

func (r *remote) list(ctx context.Context) ([]manager.Info, error) {
	var v struct{ Plugins []entry }
	err := r.do(ctx, http.MethodGet, "/plugin/pluginmanager/plugins?all=true", nil, &v)
	out := make([]manager.Info, len(v.Plugins))
	for i, e := range v.Plugins {
		out[i] = e.info()
	}
	return out, err
}

func (r *remote) info(ctx context.Context, id string) (manager.Info, bool, error) {
	var v struct{ Plugin entry }
	err := r.do(ctx, http.MethodGet, "/plugin/pluginmanager/plugins/"+url.PathEscape(id), nil, &v)
	var re *remoteError
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return manager.Info{}, false, nil
	}
	return v.Plugin.info(), err == nil, err
}

func (r *remote) toggle(ctx context.Context, id string, enable bool) (manager.Change, manager.Info, error) {
	command := "disable"
	if enable {
		command = "enable"
	}
	var res result
	err := r.do(ctx, http.MethodPost, "/api/plugin/pluginmanager", map[string]any{"command": command, "plugin": id}, &res)
	var ch manager.Change
	if res.Change != nil {
		ch = *res.Change
	}
	if err == nil && !res.Result && res.Reason != nil {
		// The plugin's own code failed, answered as OctoPrint does.
		err = errors.New(*res.Reason)
	}
	var re *remoteError
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return ch, manager.Info{}, fmt.Errorf("%s%s", re.message, unknownHint)
	}
	if err != nil {
		return ch, manager.Info{}, err
	}
	in, _, err := r.info(ctx, id)
	return ch, in, err
}

func (r *remote) hooks(ctx context.Context, name string) (map[string][]hooks.Explanation, error) {
	path := "/plugin/pluginmanager/hooks"
	if name != "" {
		path += "/" + url.PathEscape(name)
	}
	var v struct {
		Hooks map[string][]hooks.Explanation
	}
	err := r.do(ctx, http.MethodGet, path, nil, &v)
	var re *remoteError
	if name != "" && errors.As(err, &re) && re.status == http.StatusNotFound {
		return nil, unknownHook(name)
	}
	return v.Hooks, err
}

// unknownHint is appended to unknown-plugin errors.
const unknownHint = ` ("tentacle plugins list" shows the known ones)`

// entry is a plugin as the Plugin Manager lists it: manager.Info with
// OctoPrint's fields beside (disabling_discouraged is false or a string
// there). The command line does not import the Plugin Manager plugin,
// which would register it.
type entry struct {
	manager.Info
	DisablingDiscouraged any `json:"disabling_discouraged"`
}

// info returns the entry as manager.Info.
func (e entry) info() manager.Info {
	in := e.Info
	in.DisablingDiscouraged, _ = e.DisablingDiscouraged.(string)
	return in
}

// result is the Plugin Manager's answer to a command.
type result struct {
	Result bool            `json:"result"`
	Reason *string         `json:"reason"`
	Change *manager.Change `json:"change"`
}
