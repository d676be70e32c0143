package install

import (
	"context"
	"os"
	"path/filepath"
	"slices"
)

// Folders of a transaction, besides the journal's files.
const (
	unpackDir = "unpack" // an archive's entries, or a copied folder
	fileDir   = "file"   // a one-file source plugin, <id>.go
	newDir    = "new"    // a package assembled from a platform folder
)

// Prepare runs the steps before an install changes anything: download
// (or copy) the input into a new transaction folder in
// <basedir>/.install/, verify its SHA-256, unpack it and validate the
// plugin. It returns the plugin staged there, to be placed with
// [Pending.Place] and then committed or rolled back; or an *Error naming
// the plugin (once known) and the step, with nothing left in the base
// directory. While the Pending is open, another Prepare or Install of this
// Installer fails with ErrBusy at once.
func (in *Installer) Prepare(ctx context.Context, src Source, mode Mode) (p *Pending, err error) {
	if !in.acquire() {
		return nil, &Error{Source: describe(src), Err: ErrBusy}
	}
	defer func() {
		if p == nil { // an error, or a panic of Check
			in.release()
		}
	}()
	return in.prepare(ctx, src, mode)
}

// preparing is the state of a Prepare: what errors name.
type preparing struct {
	in   *Installer
	src  Source
	mode Mode
	t    *txn
	id   string
}

func (s *preparing) errAt(step Step, err error) error {
	return &Error{Plugin: s.id, Source: describe(s.src), Step: step, Err: err}
}

func (in *Installer) prepare(ctx context.Context, src Source, mode Mode) (p *Pending, err error) {
	s := &preparing{in: in, src: src, mode: mode}
	switch {
	case (src.URL == "") == (src.Path == ""):
		return nil, s.errAt(StepDownload, fail(ErrInvalid, "give either a URL or a path"))
	case src.SHA256 != "":
		if err := validSHA256(src.SHA256); err != nil {
			return nil, s.errAt(StepVerify, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, s.errAt(StepDownload, err)
	}
	if s.t, err = newTxn(in.opts.BaseDir); err != nil {
		return nil, s.errAt(StepDownload, err)
	}
	defer func() {
		if p == nil { // an error, or a panic of Check
			if ferr := s.t.finish(); ferr != nil {
				in.logf("Could not remove the staging folder %s (%v): Recover removes it at the next start", s.t.dir, ferr)
			}
		}
	}()

	// download (or copy), verify
	var file *input
	folder := ""
	if src.URL != "" {
		file, err = in.download(ctx, s.t, src.URL)
	} else if fi, serr := os.Stat(src.Path); serr != nil {
		err = serr
	} else if fi.IsDir() {
		folder, err = filepath.Abs(src.Path)
	} else if !fi.Mode().IsRegular() {
		err = fail(ErrInvalid, "%s is not a file or folder", src.Path)
	} else {
		file, err = in.copyIn(s.t, src.Path, src.Name)
	}
	if err != nil {
		return nil, s.errAt(StepDownload, err)
	}
	if src.SHA256 != "" {
		if folder != "" {
			return nil, s.errAt(StepVerify, fail(ErrInvalid, "a SHA-256 is for a file, and %s is a folder", folder))
		}
		if err := verify(file, src.SHA256); err != nil {
			return nil, s.errAt(StepVerify, err)
		}
	}

	// unpack
	unpacked := filepath.Join(s.t.dir, unpackDir)
	if folder != "" {
		s.id = filepath.Base(folder)
		if err := validID(s.id); err != nil {
			return nil, s.errAt(StepValidate, err)
		}
		in.logf("Copying %s", folder)
		n, err := copyFolder(ctx, folder, s.id, unpacked, in.opts.Limits)
		if err != nil {
			return nil, s.errAt(StepUnpack, err)
		}
		in.logf("Copied %d entries", n)
		return s.validateFolder(ctx, unpacked)
	}
	f := formatOf(file.name)
	if f == formatUnknown {
		if f, err = sniff(file.path); err != nil {
			return nil, s.errAt(StepUnpack, err)
		}
	}
	switch f {
	case formatUnknown:
		return nil, s.errAt(StepUnpack, fail(ErrInvalid, "cannot tell what %s is: want a .go file, or a .zip, .tar.gz, .tgz or .tar archive", file.name))
	case formatGo:
		return s.validateFile(ctx, file)
	}
	in.logf("Unpacking %s (%s)", file.name, f)
	n, err := unpack(ctx, file.path, f, unpacked, in.opts.Limits)
	if err != nil {
		return nil, s.errAt(StepUnpack, err)
	}
	in.logf("Unpacked %d entries", n)
	return s.validateFolder(ctx, unpacked)
}

// validateFile validates a one-file source plugin and stages it as
// file/<id>.go.
func (s *preparing) validateFile(ctx context.Context, file *input) (*Pending, error) {
	s.id = goFileID(file.name)
	if err := s.common(); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	dir := filepath.Join(s.t.dir, fileDir)
	staged := filepath.Join(dir, s.id+".go")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	if err := os.Rename(file.path, staged); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	p := s.pending(KindSource, dir, staged, "plugins/"+s.id+".go")
	return s.finish(ctx, p)
}

// validateFolder validates what was unpacked into the folder unpacked:
// one top folder, named after the plugin, holding a package or a source
// plugin.
func (s *preparing) validateFolder(ctx context.Context, unpacked string) (*Pending, error) {
	top, err := topFolder(unpacked)
	if err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	s.id = top
	if err := s.common(); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	dir := filepath.Join(unpacked, top)
	if !isPackage(dir) {
		p := s.pending(KindSource, dir, dir, "plugins/"+s.id)
		return s.finish(ctx, p)
	}
	if err := hit(fpPackage); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	if dir, err = stagePackage(dir, filepath.Join(s.t.dir, newDir), s.in.opts.GOOS, s.in.opts.GOARCH); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	m, err := checkPackage(dir, s.id, s.in.opts.GOOS, s.in.opts.GOARCH)
	if err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	p := s.pending(KindPackage, dir, dir, "packages/"+s.id)
	p.Manifest, p.Name, p.Version = m, m.Name, m.Version
	return s.finish(ctx, p)
}

// common runs the checks of every plugin once its identifier is known:
// valid, not reserved, not installed unless that is expected.
func (s *preparing) common() error {
	if err := hit(fpLayout); err != nil {
		return err
	}
	if err := validID(s.id); err != nil {
		return err
	}
	if s.in.opts.Reserved != nil {
		if why := s.in.opts.Reserved(s.id); why != "" {
			return fail(ErrReserved, "the identifier %q is reserved: %s", s.id, why)
		}
	}
	if installed := installedPaths(s.in.opts.BaseDir, s.id); len(installed) > 0 && !s.mode.Reinstall && !s.mode.Force {
		return fail(ErrInstalled, "%s is installed as %s: reinstall to replace it", s.id, installed[0])
	}
	return nil
}

// pending makes the Pending of the plugin staged at path (a file or
// folder; dir is its folder), to be placed at target (a journal path).
func (s *preparing) pending(kind Kind, dir, path, target string) *Pending {
	return &Pending{
		Staged: Staged{ID: s.id, Kind: kind, Dir: dir, Replaces: nativePaths(installedPaths(s.in.opts.BaseDir, s.id))},
		in:     s.in, mode: s.mode, t: s.t, from: s.t.rel(path), target: target,
	}
}

// finish lints a source plugin, then runs the host's Check.
func (s *preparing) finish(ctx context.Context, p *Pending) (*Pending, error) {
	if p.Kind == KindSource {
		if err := hit(fpLint); err != nil {
			return nil, s.errAt(StepValidate, err)
		}
		name, version, err := s.in.lint(ctx, s.t.path(p.from))
		if err != nil {
			return nil, s.errAt(StepValidate, err)
		}
		p.Name, p.Version = name, version
	}
	if s.mode.Force || s.in.opts.Check == nil {
		return p, nil
	}
	if err := hit(fpCheck); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	staged := p.Staged // a copy: what Check does to it changes nothing
	staged.Replaces = slices.Clone(p.Replaces)
	if err := s.in.opts.Check(ctx, &staged); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, s.errAt(StepValidate, err)
	}
	return p, nil
}

// installedPaths returns the paths (journal paths) where a plugin id is
// installed: any of plugins/<id>.go, plugins/<id>, packages/<id>, links
// included.
func installedPaths(base, id string) []string {
	var out []string
	for _, rel := range []string{"plugins/" + id + ".go", "plugins/" + id, "packages/" + id} {
		if exists(filepath.Join(base, filepath.FromSlash(rel))) {
			out = append(out, rel)
		}
	}
	return out
}

func nativePaths(rels []string) []string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = filepath.FromSlash(r)
	}
	return out
}
