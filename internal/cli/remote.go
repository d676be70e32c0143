package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/settings"
)

// remote is a running tentacle server, reached over its HTTP API with the
// API key from config.yaml.
type remote struct {
	base   string
	apiKey string
	client *http.Client
}

// dialServer returns the server of the base directory when one answers at
// the address in config.yaml, or nil when none does.
func (o *options) dialServer(ctx context.Context) (*remote, error) {
	dir, err := o.baseDir()
	if err != nil {
		return nil, err
	}
	st, err := settings.Open(filepath.Join(dir, "config.yaml"), map[string]any{
		"server": map[string]any{"host": "127.0.0.1", "port": 5000},
	})
	var perr *settings.ParseError
	if err != nil && !errors.As(err, &perr) {
		return nil, err
	}
	host := st.GetString("server.host")
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	r := &remote{
		base:   "http://" + net.JoinHostPort(host, strconv.Itoa(st.GetInt("server.port"))),
		apiKey: st.GetString("api.key"),
		client: &http.Client{Timeout: 30 * time.Second},
	}
	// A running server says where it listens.
	if data, err := os.ReadFile(filepath.Join(dir, server.RunFile)); err == nil {
		var ri server.RunInfo
		if json.Unmarshal(data, &ri) == nil && strings.HasPrefix(ri.URL, "http://") {
			r.base = ri.URL
		}
	}
	pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	var v struct{ Text string }
	if err := r.do(pctx, http.MethodGet, "/api/version", nil, &v); err != nil || !strings.HasPrefix(v.Text, "Tentacle") {
		return nil, nil // no tentacle server there: work offline
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
	var v struct{ Plugins []manager.Info }
	err := r.do(ctx, http.MethodGet, "/plugin/pluginmanager/plugins", nil, &v)
	return v.Plugins, err
}

func (r *remote) info(ctx context.Context, id string) (manager.Info, bool, error) {
	var v struct{ Plugin manager.Info }
	err := r.do(ctx, http.MethodGet, "/plugin/pluginmanager/plugins/"+url.PathEscape(id), nil, &v)
	var re *remoteError
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return manager.Info{}, false, nil
	}
	return v.Plugin, err == nil, err
}

func (r *remote) toggle(ctx context.Context, id string, enable bool) (manager.Change, manager.Info, error) {
	command := "disable"
	if enable {
		command = "enable"
	}
	var ch manager.Change
	err := r.do(ctx, http.MethodPost, "/api/plugin/pluginmanager", map[string]any{"command": command, "plugin": id}, &ch)
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
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return map[string][]hooks.Explanation{name: {}}, nil
	}
	return v.Hooks, err
}

// unknownHint is appended to unknown-plugin errors.
const unknownHint = ` ("tentacle plugins list" shows the known ones)`
