// Package atomicfile replaces files so that a reader, and the file system
// after a crash, sees either the old content or the new one, never a mix
// or an empty file: the data goes to a temporary file in the same folder,
// which is flushed to disk and renamed over the target, and then the
// folder itself is flushed.
//
// The temporary file is named after the target ("." + name + ".tmp-" and
// digits, see [TempPrefix]); a process killed between writing and renaming
// leaves it behind, and [RemoveTemps] removes such leftovers.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options says how [Write] creates and replaces a file. The zero value
// writes an owner-only file (0600), creates missing folders owner-only
// (0700), and does not follow a symbolic link at the target.
type Options struct {
	// Perm is the permission of the file written; 0 means 0600.
	Perm fs.FileMode
	// KeepPerm keeps the permission of the file being replaced, so that
	// an operator's chmod survives the write; Perm applies to a new file.
	KeepPerm bool
	// DirPerm is the permission of folders created for the file; 0 means
	// 0700.
	DirPerm fs.FileMode
	// FollowLink replaces the file a symbolic link at the target points
	// to, keeping the link; without it the link itself is replaced by the
	// file.
	FollowLink bool
	// ModTime, when not zero, becomes the file's access and modification
	// time.
	ModTime time.Time
	// BeforeRename, when set, runs after the temporary file is written and
	// flushed and before it is renamed over the target, with its path; an
	// error aborts the write (tests use it to act in that window).
	BeforeRename func(tmp string) error
}

// Write replaces the file at path with data, as the package doc says, and
// creates the folder when it is missing. On failure the target is
// untouched and the temporary file removed. The errors name the step that
// failed.
func Write(path string, data []byte, o Options) (err error) {
	target := path
	if o.FollowLink {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if real, rerr := filepath.EvalSymlinks(path); rerr == nil {
				target = real
			}
		}
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, orDefault(o.DirPerm, 0o700)); err != nil {
		return fmt.Errorf("create folder: %w", err)
	}
	perm := orDefault(o.Perm, 0o600)
	if o.KeepPerm {
		if fi, serr := os.Stat(target); serr == nil {
			perm = fi.Mode().Perm()
		}
	}
	tmp, err := os.CreateTemp(dir, TempPrefix(filepath.Base(target))+"*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = tmp.Close()
			}
			_ = os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("set mode of temporary file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("flush temporary file: %w", err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temporary file: %w", err)
	}
	if !o.ModTime.IsZero() {
		if err := os.Chtimes(tmpName, o.ModTime, o.ModTime); err != nil {
			return fmt.Errorf("set time of temporary file: %w", err)
		}
	}
	if o.BeforeRename != nil {
		if err := o.BeforeRename(tmpName); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpName, target); err != nil {
		return fmt.Errorf("replace file: %w", err)
	}
	if err := Flush(dir); err != nil {
		return fmt.Errorf("flush folder: %w", err)
	}
	return nil
}

func orDefault(m, def fs.FileMode) fs.FileMode {
	if m == 0 {
		return def
	}
	return m
}

// TempPrefix is how the names of the temporary files of writes of the
// file named base start; the rest of the name is decimal digits.
func TempPrefix(base string) string { return "." + base + ".tmp-" }

// RemoveTemps removes the temporary files that writes of the file at path
// left behind when their process died before renaming them: the regular
// files named TempPrefix(name) and digits in the file's folder (that of the
// file a symbolic link at path points to), and nothing else. It returns
// the paths it removed; a missing folder is not an error.
//
// Call it only when no other process can be writing the same file, since
// such a write's temporary file would be removed too.
func RemoveTemps(path string) ([]string, error) {
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	dir, prefix := filepath.Dir(target), TempPrefix(filepath.Base(target))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("remove temporary files: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		digits, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("remove temporary files: %w", err)
	}
	return removed, nil
}
