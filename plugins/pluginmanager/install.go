package pluginmanager

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle/install"
	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// maxUpload bounds an uploaded plugin file, as OctoPrint's 50 MB.
const maxUpload = 50 << 20

// installs runs one install at a time in the background, as OctoPrint's
// Plugin Manager does.
type installs struct {
	mu      sync.Mutex
	running bool
	done    sync.WaitGroup
}

// begin reserves the single install slot; false when an install runs.
func (i *installs) begin() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.running {
		return false
	}
	i.running = true
	i.done.Add(1)
	return true
}

func (i *installs) end() {
	i.mu.Lock()
	i.running = false
	i.mu.Unlock()
	i.done.Done()
}

// errInstallRunning is the 409 of a second install.
var errInstallRunning = &server.APIError{Status: http.StatusConflict, Message: "a plugin is being installed; try again when it is done"}

// installRoutes adds the upload routes: POST /upload_file, OctoPrint's,
// and /upload_archive, where OctoPrint's JavaScript client sends uploads.
func (p *Implementation) installRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /upload_file", p.upload)
	mux.HandleFunc("POST /upload_archive", p.upload)
}

// install is the install command: {url | path | repository_id, plugin or
// reinstall, force, from_repo, sha256}. It answers {"in_progress": true}
// at once and reports the outcome as the "result" message; with Tentacle's
// "wait": true it answers the result itself.
func (p *Implementation) install(ctx context.Context, a bundled.Admin, data map[string]any) (any, error) {
	req := bundled.InstallRequest{
		URL:          str(data["url"]),
		Path:         str(data["path"]),
		RepositoryID: str(data["repository_id"]),
		SHA256:       str(data["sha256"]),
		Reinstall:    str(data["reinstall"]),
		Force:        httpjson.Truthy(data["force"]),
		FromRepo:     httpjson.Truthy(data["from_repo"]),
	}
	if req.Reinstall == "" {
		req.Reinstall = str(data["plugin"]) // OctoPrint's name for it
	}
	if req.URL == "" && req.Path == "" && req.RepositoryID == "" {
		return nil, &server.APIError{Status: http.StatusBadRequest, Message: `install needs "url" (or Tentacle's "path" or "repository_id")`}
	}
	return p.startInstall(ctx, a, req, httpjson.Truthy(data["wait"]), nil)
}

// upload answers POST /upload_file: a multipart form with the file under
// "file" (and OctoPrint's optional "force"; Tentacle's "plugin", the
// installed plugin the upload replaces, and "wait").
func (p *Implementation) upload(w http.ResponseWriter, r *http.Request) {
	a, err := p.admin()
	if err != nil {
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpjson.Error(w, http.StatusRequestEntityTooLarge, "the upload is larger than 50 MiB")
			return
		}
		httpjson.Error(w, http.StatusBadRequest, "no file included (a multipart form with the plugin under \"file\")")
		return
	}
	defer f.Close()
	name := filepath.Base(hdr.Filename)
	if !supportedName(name) {
		httpjson.Error(w, http.StatusBadRequest, "file "+quote(name)+" does not have an extension of a plugin archive ("+strings.Join(supported.Archive, ", ")+") or a single-file plugin (.go)")
		return
	}
	// The upload is kept in the base directory's staging folder until the
	// install has copied it.
	tmp, err := saveUpload(a.BaseDir(), f)
	if err != nil {
		httpjson.Error(w, http.StatusInternalServerError, "cannot keep the upload: "+err.Error())
		return
	}
	req := bundled.InstallRequest{Path: tmp, Name: name, Force: httpjson.Truthy(r.FormValue("force")), Reinstall: r.FormValue("plugin")}
	cleanup := func() { os.Remove(tmp) }
	res, err := p.startInstall(r.Context(), a, req, httpjson.Truthy(r.FormValue("wait")), cleanup)
	switch {
	case err != nil:
		cleanup()
		httpjson.Fail(w, err)
	default:
		httpjson.Write(w, http.StatusOK, res)
	}
}

// startInstall runs an install in the background (or, with wait, before
// answering). done, if set, runs when the install has ended.
func (p *Implementation) startInstall(ctx context.Context, a bundled.Admin, req bundled.InstallRequest, wait bool, done func()) (any, error) {
	if !p.installs.begin() {
		return nil, errInstallRunning
	}
	run := func(ctx context.Context) Result {
		defer p.installs.end()
		if done != nil {
			defer done()
		}
		return p.runInstall(ctx, a, req)
	}
	if wait {
		return run(ctx), nil
	}
	go run(context.WithoutCancel(ctx))
	return map[string]bool{"in_progress": true}, nil
}

// runInstall installs and reports the result (message, event).
func (p *Implementation) runInstall(ctx context.Context, a bundled.Admin, req bundled.InstallRequest) Result {
	source, sourceType := req.Source()
	res := Result{Source: source, SourceType: sourceType}
	out, err := a.Install(ctx, req, func(stream, line string) { p.log(stream, line) })
	if err != nil {
		res.fail(err)
		res.Plugin = "unknown"
		if out.Plugin != "" {
			res.Plugin = out.Plugin
		}
		res.Status = statusOfInstall(err)
		p.send("install", res)
		return res
	}
	res.Result = true
	res.WasReinstalled = &out.Replaced
	res.Change = &out.Change
	res.NeedsRestart = out.Change.NeedsRestart
	res.NeedsRefresh = out.Change.NeedsReload
	res.Installed = &out
	res.Plugin = out.Plugin
	if in, ok := a.Plugin(out.Plugin); ok {
		res.Plugin = entryOf(in, p.repo(a))
	}
	p.fire("install_plugin", map[string]any{"id": out.Plugin, "version": out.Version, "source": source, "source_type": sourceType, "from_repo": req.FromRepo})
	p.send("install", res)
	return res
}

// statusOfInstall is the HTTP status that says what went wrong with an
// install, for Tentacle's status field of its result.
func statusOfInstall(err error) int {
	switch {
	case errors.Is(err, install.ErrBusy), errors.Is(err, install.ErrInstalled):
		return http.StatusConflict
	case errors.Is(err, install.ErrReserved):
		return http.StatusForbidden
	case errors.Is(err, install.ErrDownload):
		return http.StatusBadGateway
	}
	var le *manager.LifecycleError
	var ie *install.Error
	if errors.As(err, &le) || !errors.As(err, &ie) {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// saveUpload copies an upload into the base directory's staging folder.
func saveUpload(base string, r io.Reader) (string, error) {
	dir := filepath.Join(base, install.StagingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, io.LimitReader(r, maxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// supportedName reports whether an upload's name has an extension an
// install takes.
func supportedName(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range append(append([]string{}, supported.Archive...), supported.Python...) {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
