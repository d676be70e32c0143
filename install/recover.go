package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Recover brings the base directory back to a consistent state after a
// crash: for each transaction folder in <basedir>/.install/ that no live
// install holds (each is locked while in use, where the system has
// flock), it
//
//   - deletes one without a journal (Place had not begun: nothing moved);
//   - finishes a committed install, or an interrupted Remove, forward:
//     the replaced (or removed) files are deleted;
//   - rolls back any other: the new plugin moved back out, the replaced
//     files back in place, folders Place made removed when empty;
//
// then deletes the folder, and .install/ when empty. A journal that
// cannot be read is left, and reported. The server calls it at start,
// before any scan; it is safe to call at any time, and does nothing when
// there is nothing to do.
func Recover(baseDir string) error {
	base, err := filepath.Abs(baseDir)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	staging := filepath.Join(base, StagingDir)
	des, err := os.ReadDir(staging)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	var errs []error
	for _, de := range des {
		dir := filepath.Join(staging, de.Name())
		if !de.IsDir() {
			errs = append(errs, os.Remove(dir)) // a stray file: ours, as the folder is
			continue
		}
		lock, err := lockDir(dir)
		if errors.Is(err, errLocked) {
			continue // a live install's
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t := &txn{base: base, dir: dir, lock: lock}
		errs = append(errs, t.recover())
	}
	if os.Remove(staging) == nil {
		errs = append(errs, syncDirs(base))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	return nil
}

// Remove removes the installed file or folder at path (relative to
// baseDir, or absolute inside it), crash-safely: it journals the removal
// in a transaction folder in <basedir>/.install/, renames path into it,
// and deletes it there. Once journaled, a removal interrupted by a crash
// is finished by Recover, so the plugin is either still fully there (no
// journal yet) or gone. A link is removed, not what it points to.
// path must be inside baseDir, not baseDir itself nor in .install/; a path
// that does not exist is an error matching fs.ErrNotExist.
func Remove(baseDir, path string) error {
	base, err := filepath.Abs(baseDir)
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(base, abs)
	}
	rel, err := filepath.Rel(base, filepath.Clean(abs))
	switch {
	case err != nil, rel == ".", !filepath.IsLocal(rel):
		return fmt.Errorf("remove %s: not inside the base directory %s", path, base)
	case rel == StagingDir || strings.HasPrefix(rel, StagingDir+string(filepath.Separator)):
		return fmt.Errorf("remove %s: the staging folder is not a plugin's", path)
	}
	if _, err := os.Lstat(abs); err != nil {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	if err := remove(base, filepath.ToSlash(rel)); err != nil {
		return fmt.Errorf("remove %s: %w", rel, err)
	}
	return nil
}

func remove(base, rel string) (err error) {
	t, err := newTxn(base)
	if err != nil {
		return err
	}
	j := &journal{Op: "remove", Moves: []move{{From: rel, To: t.oldPath(rel)}}, Forward: true}
	if err := t.writeJournal(j); err != nil {
		return errors.Join(err, t.finish())
	}
	// Journaled: from here on the removal is finished, now or by Recover.
	err = hit(fpRemoveMove)
	if err == nil {
		err = t.apply(j.Moves[0])
	}
	if err != nil && exists(t.path(rel)) {
		return errors.Join(err, t.finish()) // not moved: nothing done
	}
	if err == nil {
		err = hit(fpRemoveDelete)
	}
	if err == nil {
		err = t.finish()
	}
	if err != nil {
		t.release()
		return fmt.Errorf("moved out of its place, but not deleted (%w): Recover deletes it", err)
	}
	return nil
}
