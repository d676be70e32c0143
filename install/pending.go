package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

// Pending is a plugin staged by Prepare. Place puts it in place; then
// Commit ends the install, or Rollback undoes it. Discard gives it up.
// Until one of those ends it, its Installer is busy. Its methods are safe
// for concurrent use.
type Pending struct {
	Staged

	in     *Installer
	mode   Mode
	t      *txn
	from   string   // journal path of the staged file or folder
	target string   // journal path it goes to
	j      *journal // once Place wrote it

	mu        sync.Mutex
	state     pendingState
	committed bool
}

type pendingState int

const (
	stateStaged pendingState = iota
	statePlaced
	stateDone
)

func (p *Pending) errAt(err error) error {
	return &Error{Plugin: p.ID, Step: StepPlace, Err: err}
}

// Place puts the staged plugin in place, in one transaction: it writes
// the journal (flushed to disk), then renames each installed file or
// folder of the identifier (plugins/<id>.go, plugins/<id>/, packages/<id>/)
// into the transaction folder, then the new one into place, flushing the
// folders whose entries change. The replaced files are kept until Commit.
//
// A plugin installed since Prepare without Mode.Reinstall or Force is
// ErrInstalled. On any error the moves made are undone and the staging
// folder removed: the base directory is as before, and the Pending ends
// (should an undo fail too, the error says so, and Recover finishes it).
// A crash from here on is undone by Recover, until Commit. Place updates
// Replaces to what it replaced.
func (p *Pending) Place() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stateStaged {
		return p.errAt(errors.New("already placed or ended"))
	}
	if err := p.place(); err != nil {
		err = p.abort(err)
		p.end()
		return p.errAt(err)
	}
	p.state = statePlaced
	return nil
}

func (p *Pending) place() error {
	t := p.t
	replaces := installedPaths(t.base, p.ID)
	if len(replaces) > 0 && !p.mode.Reinstall && !p.mode.Force {
		return fail(ErrInstalled, "%s was installed as %s since it was prepared: reinstall to replace it", p.ID, replaces[0])
	}
	p.Replaces = nativePaths(replaces)
	if err := hit(fpSync); err != nil {
		return err
	}
	if err := syncTree(t.path(p.from)); err != nil {
		return fmt.Errorf("flush the staged files: %w", err)
	}
	j := &journal{Op: "install", Plugin: p.ID}
	for _, r := range replaces {
		j.Moves = append(j.Moves, move{From: r, To: t.oldPath(r)})
	}
	j.Moves = append(j.Moves, move{From: p.from, To: p.target})
	parent := path.Dir(p.target)
	if !exists(t.path(parent)) {
		j.Made = []string{parent}
	}
	if err := hit(fpJournal); err != nil {
		return err
	}
	if err := t.writeJournal(j); err != nil {
		return err
	}
	p.j = j
	for _, d := range j.Made {
		if err := hit(fpMkdir); err != nil {
			return err
		}
		if err := os.Mkdir(t.path(d), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := syncDirs(t.base); err != nil {
			return err
		}
	}
	for _, m := range j.Moves {
		if err := hit(fpMove); err != nil {
			return err
		}
		if err := t.apply(m); err != nil {
			return err
		}
	}
	return hit(fpPlaced)
}

// abort undoes what Place did and removes the transaction folder, after
// cause; when the undo fails, the folder is left to Recover.
func (p *Pending) abort(cause error) error {
	if p.j != nil {
		if err := p.t.undo(p.j); err != nil {
			p.t.release()
			return fmt.Errorf("%w; undoing it failed too (%v): Recover finishes the undo", cause, err)
		}
	}
	if err := p.t.finish(); err != nil {
		p.in.logf("Could not remove the staging folder %s (%v): Recover removes it at the next start", p.t.dir, err)
	}
	return cause
}

// end ends the Pending and frees its Installer.
func (p *Pending) end() {
	p.state = stateDone
	p.in.release()
}

// Commit ends a placed install: it writes the commit marker (flushed),
// from which point the install stands even after a crash, then deletes
// the replaced files with the transaction folder. An error before the
// marker is written undoes Place, as Rollback does, and is returned.
// After it, the install stands and Commit returns nil: a failure to
// delete is logged and left to Recover.
func (p *Pending) Commit() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != statePlaced {
		return p.errAt(errors.New("commit: not placed, or already ended"))
	}
	err := hit(fpMarker)
	if err == nil {
		err = p.t.markCommitted()
	}
	if err != nil {
		err = p.abort(err)
		p.end()
		return p.errAt(fmt.Errorf("commit: %w", err))
	}
	p.committed = true
	if err = hit(fpCleanup); err == nil {
		err = p.t.finish()
	}
	if err != nil {
		p.t.release()
		p.in.logf("Could not remove the replaced files in %s (%v): Recover removes them at the next start", p.t.dir, err)
	}
	where := p.target
	if path.Ext(where) != ".go" {
		where += "/" // a folder
	}
	p.in.logf("Installed %s into %s", joinNonEmpty(p.ID, p.Version), where)
	p.end()
	return nil
}

// Rollback undoes Place: the new plugin is moved back into the
// transaction folder and the replaced files back into place, the last
// move first, and the transaction folder is removed; the base directory
// is as before Place. Before Place it is Discard. After Commit it is an
// error; after Rollback or Discard, nothing. When an undo fails, the
// error says so and Recover finishes it.
func (p *Pending) Rollback() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rollback()
}

func (p *Pending) rollback() error {
	switch {
	case p.state == stateStaged:
		p.discard()
		return nil
	case p.committed:
		return p.errAt(errors.New("rollback: already committed"))
	case p.state == stateDone:
		return nil
	}
	defer p.end()
	if err := p.t.undo(p.j); err != nil {
		p.t.release()
		return p.errAt(fmt.Errorf("rollback: %w: Recover finishes it", err))
	}
	if err := p.t.finish(); err != nil {
		p.in.logf("Could not remove the staging folder %s (%v): Recover removes it at the next start", p.t.dir, err)
	}
	p.in.logf("Rolled back the install of %s", p.ID)
	return nil
}

// Discard gives up a Pending before Place: the staging folder is
// removed. After Place and before Commit it rolls back (see Rollback;
// an error is logged); after Commit, Rollback or Discard it does
// nothing, so it can be deferred.
func (p *Pending) Discard() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.committed {
		return
	}
	if err := p.rollback(); err != nil {
		p.in.logf("%v", err)
	}
}

func (p *Pending) discard() {
	if err := p.t.finish(); err != nil {
		p.in.logf("Could not remove the staging folder %s (%v): Recover removes it at the next start", p.t.dir, err)
	}
	p.end()
}

// Path returns where the plugin goes (or went) on Place, relative to the
// base directory: plugins/<id>.go, plugins/<id> or packages/<id>.
func (p *Pending) Path() string { return filepath.FromSlash(p.target) }

func (p *Pending) result() Result {
	return Result{ID: p.ID, Name: p.Name, Version: p.Version, Kind: p.Kind,
		Path: p.Path(), Replaced: len(p.Replaces) > 0}
}

// syncTree flushes the file or folder at root, and everything in it, to
// disk.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return atomicfile.Flush(path)
	})
}

func joinNonEmpty(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}
