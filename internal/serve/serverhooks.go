package serve

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// The restart-needing server hooks (server.HookHTTPRoutes,
// server.HookHTTPBodySize, server.HookAccessPermissions) are called once,
// when the plugins are enabled at the start and before the server listens:
// what they give holds until the next start. A plugin enabled later adds
// nothing until a restart, and one disabled while the server runs (its
// disable waits for the restart) keeps what it added.

// serverHooks are the typed views of the restart-needing server hooks.
type serverHooks struct {
	routes   *hooks.Hook[server.RoutesHook]
	sizes    *hooks.Hook[server.BodySizeHook]
	perms    *hooks.Hook[server.PermissionsHook]
	declared bool
}

// declareServerHooks takes the typed views of the restart-needing server
// hooks from the registry, where server.Hooks() declared them.
func declareServerHooks(r *hooks.Registry) (serverHooks, error) {
	specs := map[string]hooks.Spec{}
	for _, sp := range server.Hooks() {
		specs[sp.Name] = sp
	}
	var sh serverHooks
	var err error
	if sh.routes, err = hooks.Declare[server.RoutesHook](r, specs[server.HookHTTPRoutes]); err != nil {
		return sh, fmt.Errorf("server: typed hook %s: %w", server.HookHTTPRoutes, err)
	}
	if sh.sizes, err = hooks.Declare[server.BodySizeHook](r, specs[server.HookHTTPBodySize]); err != nil {
		return sh, fmt.Errorf("server: typed hook %s: %w", server.HookHTTPBodySize, err)
	}
	if sh.perms, err = hooks.Declare[server.PermissionsHook](r, specs[server.HookAccessPermissions]); err != nil {
		return sh, fmt.Errorf("server: typed hook %s: %w", server.HookAccessPermissions, err)
	}
	sh.declared = true
	return sh, nil
}

// hooked is what the restart-needing server hooks gave at the start.
type hooked struct {
	// routes are each plugin's routes, by plugin, with full patterns
	// (/plugin/<id>/...).
	routes map[string]*http.ServeMux
	// sizes are each plugin's body limits, by plugin.
	sizes map[string][]server.BodySize
	// perms are the plugins' permissions, in the order of the hook's
	// handlers.
	perms []PermissionRecord
	// maxBody is the largest body of a request under /plugin/<id>/ that no
	// body size entry covers (server.maxSize).
	maxBody int64
}

// maxSizePath is the configuration key of the largest request body a
// plugin's routes take when its body size hook says nothing of them.
const maxSizePath = "server.maxSize"

// DefaultPluginMaxBody is server.maxSize's default, OctoPrint's: 100 KiB.
const DefaultPluginMaxBody = 100 << 10

// readMaxBody reads server.maxSize; a value that is not a positive whole
// number of bytes is ignored with a warning.
func (s *Server) readMaxBody() int64 {
	v := s.store.Get(maxSizePath)
	if v == nil {
		return DefaultPluginMaxBody
	}
	if n, ok := v.(int); ok && n > 0 {
		return int64(n)
	}
	s.log.Warn(fmt.Sprintf("%s is %v, not a positive number of bytes: the default %d applies", maxSizePath, v, DefaultPluginMaxBody))
	return DefaultPluginMaxBody
}

// collectServerHooks calls each handler of the restart-needing server
// hooks once. A handler that panics is recorded as its plugin's fault and
// gives nothing; an entry that is not valid is logged and skipped.
func (s *Server) collectServerHooks() *hooked {
	hk := &hooked{routes: map[string]*http.ServeMux{}, sizes: map[string][]server.BodySize{}, maxBody: s.readMaxBody()}
	if !s.hooks.declared {
		return hk
	}
	for _, h := range s.hooks.routes.Handlers() {
		var routes []server.Route
		if !s.guarded(h.Plugin, "hook "+server.HookHTTPRoutes, func() { routes = h.Fn() }) {
			continue
		}
		mux := http.NewServeMux()
		n := 0
		for _, rt := range routes {
			if err := addRoute(mux, h.Plugin, rt, s.guarded); err != nil {
				s.log.Warn("plugin route skipped", "plugin", h.Plugin, "path", rt.Path, "error", err)
				continue
			}
			n++
		}
		if n > 0 {
			hk.routes[h.Plugin] = mux
			s.log.Info("plugin routes added", "plugin", h.Plugin, "routes", n)
		}
	}
	for _, h := range s.hooks.sizes.Handlers() {
		var sizes []server.BodySize
		if !s.guarded(h.Plugin, "hook "+server.HookHTTPBodySize, func() { sizes = h.Fn() }) {
			continue
		}
		for _, bs := range sizes {
			if bs.Method == "" || bs.MaxBytes <= 0 {
				s.log.Warn("plugin body size skipped: it needs a method and a positive size", "plugin", h.Plugin, "method", bs.Method, "path", bs.Path, "max_bytes", bs.MaxBytes)
				continue
			}
			bs.Method = strings.ToUpper(bs.Method)
			bs.Path = "/" + strings.TrimPrefix(bs.Path, "/")
			hk.sizes[h.Plugin] = append(hk.sizes[h.Plugin], bs)
		}
	}
	for _, h := range s.hooks.perms.Handlers() {
		var perms []server.Permission
		if !s.guarded(h.Plugin, "hook "+server.HookAccessPermissions, func() { perms = h.Fn() }) {
			continue
		}
		name := h.Plugin
		if in, ok := s.mgr.Info(h.Plugin); ok && in.Name != "" {
			name = in.Name
		}
		seen := map[string]bool{}
		for _, p := range perms {
			rec, err := pluginPermission(h.Plugin, name, p)
			if err == nil && seen[rec.Key] {
				err = fmt.Errorf("permission %s: given twice", rec.Key)
			}
			if err != nil {
				s.log.Warn("plugin permission skipped", "plugin", h.Plugin, "key", p.Key, "error", err)
				continue
			}
			seen[rec.Key] = true
			hk.perms = append(hk.perms, rec)
		}
	}
	return hk
}

// addRoute adds a plugin's route to mux under /plugin/<id>/, its handler
// seeing the path without /plugin/<id> (as a Blueprint's does) and guarded.
// It returns an error for a pattern that http.ServeMux refuses (invalid,
// or in conflict with one added before).
func addRoute(mux *http.ServeMux, id string, rt server.Route, guarded func(id, what string, fn func()) bool) (err error) {
	if rt.Handler == nil {
		return fmt.Errorf("plugin %s: route %q: no handler", id, rt.Path)
	}
	method, p := "", strings.TrimSpace(rt.Path)
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		method, p = p[:i]+" ", strings.TrimLeft(p[i:], " \t")
	}
	pattern := method + "/plugin/" + id + "/" + strings.TrimPrefix(p, "/")
	h := http.StripPrefix("/plugin/"+id, rt.Handler)
	what := "route " + rt.Path
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plugin %s: route %q: %v", id, rt.Path, r)
		}
	}()
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !guarded(id, what, func() { h.ServeHTTP(w, r) }) {
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("plugin %q failed", id))
		}
	}))
	return nil
}

// route returns the mux of a plugin's hook routes when one of them takes r.
func (pr *pluginRoutes) route(id string, r *http.Request) *http.ServeMux {
	hk := pr.hooked.Load()
	if hk == nil {
		return nil
	}
	mux := hk.routes[id]
	if mux == nil {
		return nil
	}
	if _, pattern := mux.Handler(r); pattern == "" {
		return nil
	}
	return mux
}

// bodyLimit returns the largest body a request for rest (the path under
// /plugin/<id>) takes, from the plugin's body size entry for the method
// with the longest path prefix of rest; false when it has none.
func (pr *pluginRoutes) bodyLimit(id, method, rest string) (int64, bool) {
	limit, longest := int64(0), -1
	if hk := pr.hooked.Load(); hk != nil {
		for _, bs := range hk.sizes[id] {
			if bs.Method == method && strings.HasPrefix(rest, bs.Path) && len(bs.Path) > longest {
				limit, longest = bs.MaxBytes, len(bs.Path)
			}
		}
	}
	return limit, longest >= 0
}

// limitBody bounds the body of a request under /plugin/<id>/ by the
// plugin's body size entry for it, else by server.maxSize, for its hook
// routes and its Blueprint alike (as OctoPrint bounds every request). A
// request that says its body is larger is answered 413 and false is
// returned; a body read past the limit fails with *http.MaxBytesError.
func (pr *pluginRoutes) limitBody(w http.ResponseWriter, r *http.Request, id, rest string) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	limit, ok := pr.bodyLimit(id, r.Method, rest)
	if !ok {
		limit = DefaultPluginMaxBody
		if hk := pr.hooked.Load(); hk != nil {
			limit = hk.maxBody
		}
	}
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return true
}

// PermissionRecord is one permission of GET /api/access/permissions, in
// OctoPrint's shape.
type PermissionRecord struct {
	Key           string   `json:"key"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Dangerous     bool     `json:"dangerous"`
	DefaultGroups []string `json:"default_groups"`
	// Needs holds what the permission needs, by kind: "role".
	Needs map[string][]string `json:"needs"`
	// Plugin is the plugin that added the permission; absent for the
	// server's own.
	Plugin string `json:"plugin,omitempty"`
}

// permissionKey is what a permission's key may hold.
var permissionKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// pluginPermission makes the record of a plugin's permission: its key
// PLUGIN_<ID>_<KEY>, its name "<plugin name>: <name>", its roles
// plugin_<id>_<role>, as OctoPrint makes them.
func pluginPermission(id, pluginName string, p server.Permission) (PermissionRecord, error) {
	if !permissionKey.MatchString(p.Key) {
		return PermissionRecord{}, fmt.Errorf("plugin %s: permission key %q: only letters, digits and _", id, p.Key)
	}
	if p.Name == "" {
		return PermissionRecord{}, fmt.Errorf("plugin %s: permission %s: no name", id, p.Key)
	}
	rec := PermissionRecord{
		Key:           "PLUGIN_" + strings.ToUpper(id) + "_" + strings.ToUpper(p.Key),
		Name:          pluginName + ": " + p.Name,
		Description:   p.Description,
		Dangerous:     p.Dangerous,
		DefaultGroups: append([]string{}, p.DefaultGroups...),
		Needs:         map[string][]string{},
		Plugin:        id,
	}
	for _, role := range p.Roles {
		rec.Needs["role"] = append(rec.Needs["role"], "plugin_"+id+"_"+role)
	}
	return rec, nil
}

// serverPermissions are the server's own permissions: changing anything
// needs the API key or an admin user; reading needs nothing.
func serverPermissions() []PermissionRecord {
	return []PermissionRecord{{
		Key:           "ADMIN",
		Name:          "Admin",
		Description:   "Change anything: settings, plugins, the printer, users (the API key or an admin user)",
		Dangerous:     true,
		DefaultGroups: []string{"admins"},
		Needs:         map[string][]string{"role": {"admin"}},
	}}
}

// getPermissions answers GET /api/access/permissions: the server's
// permissions, then those the plugins added at the start.
func (s *Server) getPermissions(w http.ResponseWriter, _ *http.Request) {
	perms := serverPermissions()
	if hk := s.routes.hooked.Load(); hk != nil {
		perms = append(perms, hk.perms...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"permissions": perms})
}
