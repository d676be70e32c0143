// Package pluginops carries out the Plugin Manager's operations on a
// manager and its base directory (install from every source, with the
// rescan, enable and rollback around the files) the same way for the
// tentacle server and for the command line working on a base directory
// offline, so that both give the same results.
package pluginops

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/tentacle-go/tentacle/install"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// Ops are the Plugin Manager's operations on one manager.
type Ops struct {
	mgr          *manager.Manager
	installer    *install.Installer
	repo         *repository.Repository
	goos, goarch string

	busy   sync.Mutex // held by the install under way
	mu     sync.Mutex
	report Report // of the install under way
}

// Options configure Ops.
type Options struct {
	Manager *manager.Manager
	// Install configures the installer; its Log and Progress are replaced
	// by those of each install's Report.
	Install install.Options
	// Repository resolves installs by identifier and gives an install from
	// a repository archive its checksum; nil when the host has none.
	Repository *repository.Repository
}

// Report receives an install's progress: lines by stream ("message",
// "stdout", "stderr", as OctoPrint's Plugin Manager names them) and the
// bytes of a download (total -1 when unknown). Either may be nil.
type Report struct {
	Log      func(stream, line string)
	Progress func(done, total int64)
}

// New returns the operations on o.Manager, with an installer for
// o.Install.BaseDir.
func New(o Options) (*Ops, error) {
	ops := &Ops{mgr: o.Manager, repo: o.Repository, goos: o.Install.GOOS, goarch: o.Install.GOARCH}
	if ops.goos == "" {
		ops.goos, ops.goarch = runtime.GOOS, runtime.GOARCH
	}
	o.Install.Log = func(line string) { ops.current().log("stdout", line) }
	o.Install.Progress = func(done, total int64) {
		if p := ops.current().Progress; p != nil {
			p(done, total)
		}
	}
	in, err := install.New(o.Install)
	if err != nil {
		return nil, err
	}
	ops.installer = in
	return ops, nil
}

// Wait waits until no install runs.
func (o *Ops) Wait() {
	o.busy.Lock()
	o.busy.Unlock() //nolint:staticcheck // an empty critical section: waiting is the point
}

// current returns the report of the install under way.
func (o *Ops) current() Report {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.report
}

func (r Report) log(stream, line string) {
	if r.Log != nil {
		r.Log(stream, line)
	}
}

// Install installs a plugin: the installer's download, checks and
// unpacking into staging, then one rename into place, a rescan, and the
// enable of a new plugin (a plugin that replaces one keeps its enabled or
// disabled state, and is reloaded as a changed plugin is). When the new
// plugin does not load or enable, or the replacing code does not load, its
// files are taken out again and the replaced ones put back, so that the
// installed version keeps running untouched; the error says why. log
// receives progress lines (stream "message", "stdout" or "stderr", as
// OctoPrint's Plugin Manager names them).
func (o *Ops) Install(ctx context.Context, req bundled.InstallRequest, rep Report) (bundled.Installed, error) {
	if !o.busy.TryLock() {
		return bundled.Installed{}, &install.Error{Err: install.ErrBusy}
	}
	defer o.busy.Unlock()
	o.mu.Lock()
	o.report = rep
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.report = Report{}
		o.mu.Unlock()
	}()
	log := rep.log
	src, err := o.source(req)
	if err != nil {
		return bundled.Installed{}, err
	}
	source, _ := req.Source()
	if req.Path != "" && req.Name != "" {
		source = "the uploaded file " + req.Name // not the staging copy's path
	}
	log("message", "Installing plugin from "+source)
	pend, err := o.installer.Prepare(ctx, src, install.Mode{Reinstall: req.Reinstall != "", Force: req.Force})
	if err != nil {
		return bundled.Installed{}, err
	}
	id := pend.ID
	if req.Reinstall != "" && req.Reinstall != id {
		pend.Discard()
		return bundled.Installed{}, &install.Error{Plugin: id, Step: install.StepValidate,
			Err: fmt.Errorf("%w: it holds plugin %q, not %q, which it was to reinstall", install.ErrLayout, id, req.Reinstall)}
	}
	before, existed := o.mgr.Info(id)
	if err := pend.Place(); err != nil {
		return bundled.Installed{}, err
	}
	out := bundled.Installed{Plugin: id, Name: pend.Name, Version: pend.Version, Kind: string(pend.Kind), Replaced: existed}
	ch, err := o.takeUp(ctx, id, existed, before)
	if err != nil {
		log("stderr", err.Error())
		if rerr := pend.Rollback(); rerr != nil {
			return out, errors.Join(err, rerr)
		}
		_, _ = o.mgr.Rescan(ctx) // the replaced code again, or nothing
		return out, err
	}
	if err := pend.Commit(); err != nil {
		// The new plugin is in place and runs; only the replaced files
		// could not be deleted (the next start's recovery deletes them).
		log("stderr", err.Error())
	}
	out.Change = ch
	out.Path = filepath.ToSlash(pend.Path())
	log("stdout", fmt.Sprintf("Installed %s %s", id, pend.Version))
	return out, nil
}

// takeUp rescans and enables a new plugin; it fails when the plugin's code
// does not load or enable, or, for a replaced plugin, when its new code
// does not load.
func (o *Ops) takeUp(ctx context.Context, id string, existed bool, before manager.Info) (manager.Change, error) {
	res, err := o.mgr.Rescan(ctx)
	if perr := res.Errors[id]; perr != nil {
		return manager.Change{}, perr
	}
	in, ok := o.mgr.Info(id)
	if !ok {
		if err != nil {
			return manager.Change{}, err
		}
		return manager.Change{}, fmt.Errorf("plugin %q: installed, but not found by the rescan", id)
	}
	if in.Error != nil && in.Error.Phase != manager.PhaseGate {
		return manager.Change{}, fmt.Errorf("plugin %q: %s: %s", id, in.Error.Phase, in.Error.Message)
	}
	if existed {
		ch := manager.Change{Plugin: id, Action: "reload", Applied: in.Loaded && !in.PendingReload}
		if in.PendingReload {
			ch.Pending, ch.NeedsRestart = true, true
		}
		ch.NeedsReload = before.Enabled && in.NeedsReload
		return ch, nil
	}
	if in.Enabled {
		return manager.Change{Plugin: id, Action: "enable", Applied: true}, nil
	}
	return o.mgr.Enable(ctx, id)
}

// source turns a request into the installer's source, resolving a
// repository entry.
func (o *Ops) source(req bundled.InstallRequest) (install.Source, error) {
	src := install.Source{URL: req.URL, Path: req.Path, Name: req.Name, SHA256: req.SHA256}
	goos, goarch := o.goos, o.goarch
	if req.RepositoryID != "" && req.URL == "" && req.Path == "" {
		if o.repo == nil {
			return src, &install.Error{Plugin: req.RepositoryID, Step: install.StepDownload, Err: errors.New("no plugin repository is configured")}
		}
		e, ok := o.repo.Entry(req.RepositoryID)
		if !ok {
			return src, &install.Error{Plugin: req.RepositoryID, Step: install.StepDownload, Err: ErrNotInRepository}
		}
		url, sha, ok := e.ArchiveFor(goos, goarch)
		if !ok {
			return src, &install.Error{Plugin: req.RepositoryID, Step: install.StepDownload,
				Err: fmt.Errorf("%w: the repository has no archive of it for %s/%s", install.ErrPlatform, goos, goarch)}
		}
		src.URL, src.SHA256 = url, sha
		return src, nil
	}
	if src.URL != "" && src.SHA256 == "" && o.repo != nil {
		// An archive the repository lists is checked against its digest.
		for _, e := range o.repo.Index().Plugins {
			if url, sha, ok := e.ArchiveFor(goos, goarch); ok && url == src.URL {
				src.SHA256 = sha
				break
			}
		}
	}
	if src.URL == "" && src.Path == "" {
		return src, &install.Error{Step: install.StepDownload, Err: errors.New("nothing to install: give a url, a path or a repository plugin")}
	}
	return src, nil
}

// ErrNotInRepository: an install by identifier names a plugin the
// repository does not list.
var ErrNotInRepository = errors.New("not in the plugin repository")
