package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// The Plugin Manager's operations through a running server: its commands
// (POST /api/plugin/pluginmanager) and routes (/plugin/pluginmanager/...).

// commandPath is where the Plugin Manager takes its commands.
const commandPath = "/api/plugin/pluginmanager"

// installAnswer is the Plugin Manager's answer to an install that waited
// for its end (Tentacle's "wait").
type installAnswer struct {
	result
	Installed *bundled.Installed `json:"installed"`
}

// cleanupAnswer is the Plugin Manager's answer to cleanup_all.
type cleanupAnswer struct {
	result
	CleanedUp []string `json:"cleaned_up"`
}

func (r *remote) install(ctx context.Context, req bundled.InstallRequest, p *progress) (bundled.Installed, error) {
	body := map[string]any{"command": "install", "wait": true, "force": req.Force}
	for key, v := range map[string]string{
		"url": req.URL, "path": req.Path, "repository_id": req.RepositoryID,
		"sha256": req.SHA256, "reinstall": req.Reinstall,
	} {
		if v != "" {
			body[key] = v
		}
	}
	p.step("installing through the server")
	// An install takes as long as its download and checks take; it ends
	// with ctx (the server carries on with it).
	long := *r
	long.client = &http.Client{}
	var res installAnswer
	if err := long.do(ctx, http.MethodPost, commandPath, body, &res); err != nil {
		source, _ := req.Source()
		return bundled.Installed{}, fmt.Errorf("install %s: %w", source, err)
	}
	if err := res.failure(); err != nil {
		return bundled.Installed{}, err
	}
	if res.Installed == nil {
		return bundled.Installed{}, fmt.Errorf("server at %s: its answer to the install does not say what was installed", r.base)
	}
	return *res.Installed, nil
}

// failure returns the reason of a command that did not succeed, as an
// error.
func (res result) failure() error {
	if res.Result {
		return nil
	}
	if res.Reason != nil {
		return errors.New(*res.Reason)
	}
	return errors.New("the Plugin Manager answered that the command failed, without a reason")
}

func (r *remote) uninstall(ctx context.Context, id string) (manager.Change, error) {
	var res result
	if err := r.do(ctx, http.MethodPost, commandPath, map[string]any{"command": "uninstall", "plugin": id}, &res); err != nil {
		return manager.Change{}, err
	}
	var ch manager.Change
	if res.Change != nil {
		ch = *res.Change
	}
	return ch, res.failure()
}

func (r *remote) orphans(ctx context.Context) ([]manager.Orphan, error) {
	var v struct{ Orphans []manager.Orphan }
	err := r.do(ctx, http.MethodGet, "/plugin/pluginmanager/orphans", nil, &v)
	return v.Orphans, err
}

func (r *remote) cleanup(ctx context.Context, id string) error {
	var res result
	if err := r.do(ctx, http.MethodPost, commandPath, map[string]any{"command": "cleanup", "plugin": id}, &res); err != nil {
		return err
	}
	return res.failure()
}

func (r *remote) cleanupAll(ctx context.Context) ([]string, error) {
	var res cleanupAnswer
	if err := r.do(ctx, http.MethodPost, commandPath, map[string]any{"command": "cleanup_all"}, &res); err != nil {
		return nil, err
	}
	return res.CleanedUp, res.failure()
}

func (r *remote) repository(ctx context.Context, refresh bool) (repository.Index, error) {
	path := "/plugin/pluginmanager/repository"
	if refresh {
		path += "?refresh=true"
	}
	var v struct{ Repository repository.Index }
	err := r.do(ctx, http.MethodGet, path, nil, &v)
	if v.Repository.Plugins == nil {
		v.Repository.Plugins = []repository.Entry{}
	}
	return v.Repository, err
}
