package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StagingDir is the folder, in the base directory, that holds the
// transactions: <basedir>/.install/<txn>/. Its leading dot keeps every
// scanner away from it.
const StagingDir = ".install"

// Files of a transaction folder.
const (
	journalFile   = "journal"   // the moves, written before the first
	committedFile = "committed" // present once the install is committed
	oldDir        = "old"       // the replaced files, under their paths
)

// journal is what a transaction will do to the base directory, written
// (and flushed) before it does any of it, so that Recover can undo or
// finish it after a crash. Paths are relative to the base directory,
// slash-separated.
type journal struct {
	Op     string `json:"op"` // "install" or "remove"
	Plugin string `json:"plugin,omitempty"`
	// Moves are the renames, in order.
	Moves []move `json:"moves"`
	// Made are folders (plugins/, packages/) the transaction creates;
	// a rollback removes them again when empty.
	Made []string `json:"made,omitempty"`
	// Forward: once journaled, the transaction is completed, never undone
	// (Remove).
	Forward bool `json:"forward,omitempty"`
}

type move struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// txn is a transaction folder, <basedir>/.install/tx-*, locked for as long
// as its owner works in it, so that Recover leaves it alone.
type txn struct {
	base        string   // the base directory, absolute
	dir         string   // the transaction folder, absolute
	lock        *os.File // the folder, flocked; nil where locks are not available
	madeStaging bool     // .install was made for it (and goes with it)
}

// newTxn makes a new transaction folder in base's staging folder, making
// that one if needed.
func newTxn(base string) (*txn, error) {
	staging := filepath.Join(base, StagingDir)
	for try := 0; ; try++ {
		made := false
		switch err := os.Mkdir(staging, 0o755); {
		case err == nil:
			made = true
		case !errors.Is(err, fs.ErrExist):
			return nil, fmt.Errorf("make the staging folder: %w", err)
		}
		dir, err := os.MkdirTemp(staging, "tx-")
		if errors.Is(err, fs.ErrNotExist) && try < 3 {
			continue // another transaction removed the staging folder as it ended
		}
		if err != nil {
			return nil, fmt.Errorf("make the staging folder: %w", err)
		}
		lock, err := lockDir(dir)
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("lock the staging folder: %w", err)
		}
		return &txn{base: base, dir: dir, lock: lock, madeStaging: made}, nil
	}
}

// path returns the absolute path of rel, a journal path.
func (t *txn) path(rel string) string { return filepath.Join(t.base, filepath.FromSlash(rel)) }

// rel returns the journal path of abs, a path in the base directory.
func (t *txn) rel(abs string) string {
	r, err := filepath.Rel(t.base, abs)
	if err != nil {
		panic(err) // abs is always made from t.base
	}
	return filepath.ToSlash(r)
}

// oldPath is where the file or folder at rel goes while replaced.
func (t *txn) oldPath(rel string) string {
	return t.rel(filepath.Join(t.dir, oldDir, filepath.FromSlash(rel)))
}

// writeJournal writes j and flushes it, and the folders that lead to it,
// to disk: from then on a crash is recovered from it.
func (t *txn) writeJournal(j *journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	tmp := filepath.Join(t.dir, journalFile+".tmp")
	if err := writeSynced(tmp, data); err != nil {
		return fmt.Errorf("write the journal: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(t.dir, journalFile)); err != nil {
		return fmt.Errorf("write the journal: %w", err)
	}
	return syncDirs(t.dir, filepath.Dir(t.dir), t.base)
}

// readJournal reads the transaction's journal; fs.ErrNotExist when it has
// none (nothing was moved yet). A journal whose paths are not a
// transaction's own is refused.
func (t *txn) readJournal() (*journal, error) {
	data, err := os.ReadFile(filepath.Join(t.dir, journalFile))
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("journal %s: %w", filepath.Join(t.dir, journalFile), err)
	}
	own := t.rel(t.dir) + "/"
	for _, m := range j.Moves {
		inTxn := strings.HasPrefix(m.From, own) != strings.HasPrefix(m.To, own)
		if !filepath.IsLocal(filepath.FromSlash(m.From)) || !filepath.IsLocal(filepath.FromSlash(m.To)) || !inTxn {
			return nil, fmt.Errorf("journal %s: move %q to %q is not one a transaction makes", filepath.Join(t.dir, journalFile), m.From, m.To)
		}
	}
	for _, d := range j.Made {
		if !filepath.IsLocal(filepath.FromSlash(d)) {
			return nil, fmt.Errorf("journal %s: folder %q is not in the base directory", filepath.Join(t.dir, journalFile), d)
		}
	}
	return &j, nil
}

// apply makes move m and flushes both folders. A folder of the
// transaction's that the destination needs is made first.
func (t *txn) apply(m move) error {
	from, to := t.path(m.From), t.path(m.To)
	if strings.HasPrefix(to, t.dir+string(filepath.Separator)) {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
	}
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return syncDirs(filepath.Dir(from), filepath.Dir(to))
}

// undo reverses the moves of j that were made, the last first. A move was
// made when its source is gone and its destination is there (each is one
// rename, so exactly one of them is).
func (t *txn) undo(j *journal) error {
	for i := len(j.Moves) - 1; i >= 0; i-- {
		m := j.Moves[i]
		if exists(t.path(m.From)) || !exists(t.path(m.To)) {
			continue // not made (or what it moved is gone: nothing to put back)
		}
		if err := hit(fpUndo); err != nil {
			return err
		}
		if err := t.apply(move{From: m.To, To: m.From}); err != nil {
			return fmt.Errorf("undo: %w", err)
		}
	}
	for i := len(j.Made) - 1; i >= 0; i-- {
		// Only when empty: anything put there since stays.
		if err := os.Remove(t.path(j.Made[i])); err == nil {
			if err := syncDirs(filepath.Dir(t.path(j.Made[i]))); err != nil {
				return fmt.Errorf("undo: %w", err)
			}
		}
	}
	return hit(fpUndone)
}

// redo makes the moves of j that were not made yet, in order.
func (t *txn) redo(j *journal) error {
	for _, m := range j.Moves {
		if exists(t.path(m.From)) && !exists(t.path(m.To)) {
			if err := t.apply(m); err != nil {
				return fmt.Errorf("redo: %w", err)
			}
		}
	}
	return nil
}

// markCommitted writes the commit marker and flushes it: from then on the
// transaction is finished forward, never undone.
func (t *txn) markCommitted() error {
	if err := writeSynced(filepath.Join(t.dir, committedFile), nil); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := syncDirs(t.dir); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// committed reports whether the transaction is to be finished forward.
func (t *txn) committed(j *journal) bool {
	return j.Forward || exists(filepath.Join(t.dir, committedFile))
}

// finish deletes the transaction folder with all it holds (the replaced
// files of a committed install), and the staging folder when it made it
// and it is empty, and releases the lock.
func (t *txn) finish() error {
	err := removeAll(t.dir)
	if err == nil {
		err = syncDirs(filepath.Dir(t.dir))
	}
	if t.madeStaging && os.Remove(filepath.Dir(t.dir)) == nil {
		err = errors.Join(err, syncDirs(t.base))
	}
	t.release()
	return err
}

// release releases the lock, leaving the folder to Recover.
func (t *txn) release() {
	if t.lock != nil {
		t.lock.Close()
		t.lock = nil
	}
}

// recover finishes a transaction its owner left: a committed one forward,
// any other backward; one without a journal moved nothing and is deleted.
func (t *txn) recover() error {
	j, err := t.readJournal()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return t.finish()
	case err != nil:
		t.release()
		return err
	}
	if t.committed(j) {
		err = t.redo(j)
	} else {
		err = t.undo(j)
	}
	if err != nil {
		t.release()
		return fmt.Errorf("%s: %w", t.dir, err)
	}
	return t.finish()
}

// exists reports whether there is anything at path (a link is not
// followed).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// writeSynced writes a new file with data and flushes it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// removeAll removes path and everything in it, making folders writable
// where that is what stops it (a plugin's read-only folder).
func removeAll(path string) error {
	if err := os.RemoveAll(path); err == nil || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(path)
}
