package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
)

// pluginRoutes mounts the HTTP side of enabled plugins (SimpleAPI,
// Blueprint, Asset) while they are enabled. It is an activator: a plugin's
// routes appear when its enable completes and disappear when it is
// disabled, with no restart and no change to the server's mux.
type pluginRoutes struct {
	s      *Server
	mu     sync.RWMutex
	mounts map[string]*mount
	// hooked is what the restart-needing server hooks gave at the start
	// (nil before).
	hooked atomic.Pointer[hooked]
}

// mount is what one enabled plugin serves.
type mount struct {
	id          string
	api         server.SimpleAPI
	getter      server.APIGetter
	blueprint   http.Handler
	unprotected bool
	static      http.Handler
	assets      map[string][]string
}

func newPluginRoutes(s *Server) *pluginRoutes {
	return &pluginRoutes{s: s, mounts: make(map[string]*mount)}
}

func (*pluginRoutes) Name() string { return "routes" }

// Activate builds the plugin's mount. It runs inside the plugin's enable,
// guarded: a panic in Handler or AssetFS rolls the enable back.
func (pr *pluginRoutes) Activate(p manager.Plugin) error {
	mt := &mount{id: p.ID()}
	mt.api, _ = manager.As[server.SimpleAPI](p)
	mt.getter, _ = manager.As[server.APIGetter](p)
	if bp, ok := manager.As[server.Blueprint](p); ok {
		if mt.blueprint = bp.Handler(); mt.blueprint == nil {
			return errors.New("Blueprint.Handler returned nil")
		}
		_, mt.unprotected = manager.As[server.BlueprintUnprotected](p)
	}
	if as, ok := manager.As[server.Asset](p); ok {
		fsys := as.AssetFS()
		if fsys == nil {
			return errors.New("Asset.AssetFS returned nil")
		}
		mt.static = staticFiles(fsys)
		mt.assets = as.Assets()
	}
	if mt.api == nil && mt.getter == nil && mt.blueprint == nil && mt.static == nil {
		return nil
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.mounts[mt.id] = mt
	return nil
}

func (pr *pluginRoutes) Deactivate(p manager.Plugin) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	delete(pr.mounts, p.ID())
}

// checksAccessItself reports whether r goes to routes of a plugin that
// check access themselves: the plugin's hook routes (server.HookHTTPRoutes),
// or, for a plugin that is server.BlueprintUnprotected, anything under
// /plugin/<id>/ but the static files the server serves.
func (pr *pluginRoutes) checksAccessItself(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/plugin/")
	if !ok {
		return false
	}
	id, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return false
	}
	if pr.route(id, r) != nil {
		return true
	}
	mt := pr.get(id)
	if mt == nil || mt.blueprint == nil || !mt.unprotected {
		return false
	}
	return mt.static == nil || !strings.HasPrefix("/"+rest, "/static/")
}

func (pr *pluginRoutes) get(id string) *mount {
	pr.mu.RLock()
	defer pr.mu.RUnlock()
	return pr.mounts[id]
}

// assetTags returns, sorted by plugin, the assets of every mounted plugin,
// as URLs by kind.
func (pr *pluginRoutes) assetURLs() map[string][]string {
	pr.mu.RLock()
	defer pr.mu.RUnlock()
	ids := make([]string, 0, len(pr.mounts))
	for id, mt := range pr.mounts {
		if mt.static != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make(map[string][]string)
	for _, id := range ids {
		for kind, paths := range pr.mounts[id].assets {
			for _, p := range paths {
				out[kind] = append(out[kind], "/plugin/"+id+"/static/"+strings.TrimPrefix(p, "/"))
			}
		}
	}
	return out
}

// serveAPI answers GET and POST /api/plugin/{id} (SimpleApiPlugin).
func (pr *pluginRoutes) serveAPI(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	mt := pr.get(id)
	if mt == nil || (mt.api == nil && mt.getter == nil) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no enabled plugin %q with an API", id))
		return
	}
	switch r.Method {
	case http.MethodGet:
		if mt.getter == nil {
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("plugin %q answers no GET", id))
			return
		}
		pr.answer(w, id, "OnAPIGet", func() (any, error) { return mt.getter.OnAPIGet(r) })
	case http.MethodPost:
		if !pr.s.authorize(w, r) {
			return
		}
		if mt.api == nil {
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("plugin %q takes no commands", id))
			return
		}
		var data map[string]any
		if !readJSON(w, r, &data) {
			return
		}
		data, _ = normalizeJSON(data).(map[string]any)
		command, _ := data["command"].(string)
		if command == "" {
			writeError(w, http.StatusBadRequest, `missing "command"`)
			return
		}
		var commands map[string][]string
		if !pr.s.guarded(id, "APICommands", func() { commands = mt.api.APICommands() }) {
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("plugin %q failed to list its commands", id))
			return
		}
		params, known := commands[command]
		if !known {
			writeError(w, http.StatusNotFound, fmt.Sprintf("plugin %q has no command %q", id, command))
			return
		}
		for _, param := range params {
			if _, ok := data[param]; !ok {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("command %q needs parameter %q", command, param))
				return
			}
		}
		pr.answer(w, id, "OnAPICommand "+command, func() (any, error) { return mt.api.OnAPICommand(command, data) })
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "only GET and POST")
	}
}

// answer calls a plugin's API function and sends its result: JSON, 204 for
// nil, a *server.Response's own status, the status of an error with an HTTPStatus() int method (such as a
// *server.APIError) between 400 and 599, 500 for other errors and panics.
func (pr *pluginRoutes) answer(w http.ResponseWriter, id, what string, fn func() (any, error)) {
	var res any
	var err error
	if !pr.s.guarded(id, what, func() { res, err = fn() }) {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("plugin %q failed", id))
		return
	}
	var se interface{ HTTPStatus() int }
	switch {
	case errors.As(err, &se) && se.HTTPStatus() >= 400 && se.HTTPStatus() < 600:
		writeError(w, se.HTTPStatus(), err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("plugin %q: %v", id, err))
	case res == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		if r, ok := res.(*server.Response); ok && r.Status >= 200 && r.Status < 300 {
			writeJSON(w, r.Status, r.Body)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

// servePlugin answers everything under /plugin/{id}/, its body bounded
// (limitBody): the plugin's hook routes (server.HookHTTPRoutes) first, then static assets under
// static/, the rest by the plugin's blueprint.
func (pr *pluginRoutes) servePlugin(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	mt := pr.get(id)
	prefix := "/plugin/" + id
	rest := strings.TrimPrefix(r.URL.Path, prefix)
	mux := pr.route(id, r)
	if !pr.limitBody(w, r, id, rest) {
		return
	}
	if mux != nil {
		mux.ServeHTTP(w, r)
		return
	}
	switch {
	case mt == nil:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no enabled plugin %q serving pages", id))
	case mt.static != nil && strings.HasPrefix(rest, "/static/"):
		if needsKey(r.Method) {
			writeError(w, http.StatusMethodNotAllowed, "static files are read-only")
			return
		}
		http.StripPrefix(prefix+"/static", mt.static).ServeHTTP(w, r)
	case mt.blueprint != nil:
		if needsKey(r.Method) && !mt.unprotected && !pr.s.authorize(w, r) {
			return
		}
		h := http.StripPrefix(prefix, mt.blueprint)
		if !pr.s.guarded(id, "Blueprint "+r.Method+" "+rest, func() { h.ServeHTTP(w, r) }) {
			// Headers may be out already; try to say what happened.
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("plugin %q failed", id))
		}
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("plugin %q serves nothing at %s", id, rest))
	}
}

// staticFiles serves the files of fsys (no directory listings), answering
// a JSON 404 for what it does not have.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if fi, err := fs.Stat(fsys, name); name == "" || err != nil || fi.IsDir() {
			writeError(w, http.StatusNotFound, "no static file "+strconv.Quote(name))
			return
		}
		files.ServeHTTP(w, r)
	})
}
