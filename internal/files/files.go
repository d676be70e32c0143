// Package files is the server's uploads folder (<basedir>/uploads): the
// printable files the printer selects and prints, in folders. Every path
// is relative to the folder, with forward slashes; nothing is ever read or
// written outside it (an os.Root holds it, and names are checked before
// they reach it).
package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// Errors callers branch on.
var (
	// ErrBadName: a path that is empty, absolute, climbs out with "..",
	// holds control characters or backslashes, or leads out of the
	// folder through a link.
	ErrBadName = errors.New("bad file name")
	// ErrNotPrintable: a file name without a printable extension
	// (.gcode, .gco, .g).
	ErrNotPrintable = errors.New("not a printable file: the name must end in .gcode, .gco or .g")
	// ErrExists: a folder or file of that name is there already.
	ErrExists = errors.New("already exists")
	// ErrNotFound: no such file or folder.
	ErrNotFound = errors.New("no such file or folder")
)

// Extensions are the printable file extensions (OctoPrint's gcode type).
var Extensions = []string{".gcode", ".gco", ".g"}

// Printable reports whether name has a printable extension.
func Printable(name string) bool {
	return slices.Contains(Extensions, strings.ToLower(path.Ext(name)))
}

// Store is an uploads folder.
type Store struct {
	dir  string
	root *os.Root
}

// Open opens the uploads folder dir, creating it if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("uploads folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("uploads folder: %w", err)
	}
	return &Store{dir: dir, root: root}, nil
}

// Close releases the folder.
func (s *Store) Close() error { return s.root.Close() }

// Dir returns the folder's path on disk.
func (s *Store) Dir() string { return s.dir }

// Entry is a file or folder of the uploads folder.
type Entry struct {
	Name     string    // the last element of Path
	Path     string    // relative to the uploads folder, with slashes
	Folder   bool      // a folder, with Children
	Size     int64     // a file's size in bytes; a folder's: its files' sum
	Date     time.Time // modification time
	Children []Entry   // a folder's entries, by name
}

// Clean checks a path given by a client and returns it cleaned, or an
// error wrapping ErrBadName: empty, absolute, with an empty, "." or ".."
// element, control characters or backslashes, or naming a temporary
// file.
func Clean(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	bad := p == "" || strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.ContainsFunc(p, unicode.IsControl)
	if !bad {
		for _, el := range strings.Split(p, "/") {
			if el == "" || el == "." || el == ".." || strings.HasPrefix(el, ".tmp-") {
				bad = true
				break
			}
		}
	}
	if bad || !filepath.IsLocal(filepath.FromSlash(p)) {
		return "", fmt.Errorf("%w: %q", ErrBadName, p)
	}
	return path.Clean(p), nil
}

// List returns the entries under folder ("" for the whole folder),
// recursively, folders first then files, each by name.
func (s *Store) List(folder string) ([]Entry, error) {
	dir := "."
	if folder != "" {
		var err error
		if dir, err = Clean(folder); err != nil {
			return nil, err
		}
	}
	entries, _, err := s.list(dir, folder)
	return entries, err
}

func (s *Store) list(dir, prefix string) ([]Entry, int64, error) {
	f, err := s.root.Open(dir)
	if err != nil {
		return nil, 0, notFound(err)
	}
	des, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []Entry
	var total int64
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue // temporary files of uploads in progress, and hidden ones
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		e := Entry{Name: name, Path: path.Join(prefix, name), Date: info.ModTime()}
		switch {
		case info.IsDir():
			e.Folder = true
			if e.Children, e.Size, err = s.list(path.Join(dir, name), e.Path); err != nil {
				return nil, 0, err
			}
		case info.Mode().IsRegular() && Printable(name):
			e.Size = info.Size()
		default:
			continue // links and files that are not printable
		}
		total += e.Size
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if a.Folder != b.Folder {
			if a.Folder {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, total, nil
}

// Stat returns the entry at p (a folder's with its children).
func (s *Store) Stat(p string) (Entry, error) {
	p, err := Clean(p)
	if err != nil {
		return Entry{}, err
	}
	info, err := s.root.Lstat(p)
	if err != nil {
		return Entry{}, notFound(err)
	}
	e := Entry{Name: path.Base(p), Path: p, Date: info.ModTime(), Size: info.Size()}
	switch {
	case info.IsDir():
		e.Folder = true
		if e.Children, e.Size, err = s.list(p, p); err != nil {
			return Entry{}, err
		}
	case !info.Mode().IsRegular() || !Printable(p):
		return Entry{}, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	return e, nil
}

// Open opens the file at p for reading.
func (s *Store) Open(p string) (*os.File, error) {
	e, err := s.Stat(p)
	if err != nil {
		return nil, err
	}
	if e.Folder {
		return nil, fmt.Errorf("%s is a folder: %w", e.Path, ErrNotFound)
	}
	f, err := s.root.Open(e.Path)
	if err != nil {
		return nil, notFound(err)
	}
	return f, nil
}

// Add stores what r holds as the file p, replacing one that is there: it
// is written to a temporary file and renamed into place, so a file is
// never seen half written. Missing folders are made.
func (s *Store) Add(p string, r io.Reader) (Entry, error) {
	p, err := CleanFile(p)
	if err != nil {
		return Entry{}, err
	}
	st, err := s.Stage(path.Dir(p), r)
	if err != nil {
		return Entry{}, err
	}
	return st.Commit(p)
}

// CleanFile is Clean for a printable file's path: a name without a
// printable extension is refused with ErrNotPrintable.
func CleanFile(p string) (string, error) {
	p, err := Clean(p)
	if err != nil {
		return "", err
	}
	if !Printable(p) {
		return "", fmt.Errorf("%s: %w", p, ErrNotPrintable)
	}
	return p, nil
}

// Staged is a file written to a temporary file of the uploads folder, not
// yet in place.
type Staged struct {
	s   *Store
	tmp string
}

// Stage writes what r holds to a temporary file in folder dir ("" or "."
// for the top), made if missing; the file is hidden from List until
// committed.
func (s *Store) Stage(dir string, r io.Reader) (*Staged, error) {
	if dir == "" || dir == "." {
		dir = "."
	} else {
		var err error
		if dir, err = Clean(dir); err != nil {
			return nil, err
		}
		if err := s.root.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("make folder %s: %w", dir, notFound(err))
		}
	}
	tmp := path.Join(dir, fmt.Sprintf(".tmp-%d-%d", os.Getpid(), time.Now().UnixNano()))
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("write temporary file: %w", notFound(err))
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return nil, fmt.Errorf("write temporary file: %w", err)
	}
	return &Staged{s: s, tmp: tmp}, nil
}

// Commit moves the staged file into place as p (a printable file's path),
// replacing a file there, making missing folders.
func (st *Staged) Commit(p string) (Entry, error) {
	p, err := CleanFile(p)
	if err != nil {
		st.Discard()
		return Entry{}, err
	}
	if info, err := st.s.root.Lstat(p); err == nil && !info.Mode().IsRegular() {
		st.Discard()
		return Entry{}, fmt.Errorf("%s: a folder or link: %w", p, ErrExists)
	}
	if dir := path.Dir(p); dir != "." {
		if err := st.s.root.MkdirAll(dir, 0o755); err != nil {
			st.Discard()
			return Entry{}, fmt.Errorf("add %s: %w", p, notFound(err))
		}
	}
	if err := st.s.root.Rename(st.tmp, p); err != nil {
		st.Discard()
		return Entry{}, fmt.Errorf("add %s: %w", p, notFound(err))
	}
	return st.s.Stat(p)
}

// Discard removes the staged file.
func (st *Staged) Discard() { _ = st.s.root.Remove(st.tmp) }

// Mkdir makes the folder p (and its parents).
func (s *Store) Mkdir(p string) (Entry, error) {
	p, err := Clean(p)
	if err != nil {
		return Entry{}, err
	}
	if _, err := s.root.Lstat(p); err == nil {
		return Entry{}, fmt.Errorf("%s: %w", p, ErrExists)
	}
	if err := s.root.MkdirAll(p, 0o755); err != nil {
		return Entry{}, fmt.Errorf("make folder %s: %w", p, notFound(err))
	}
	return s.Stat(p)
}

// Remove removes the file or folder (with what it holds) at p.
func (s *Store) Remove(p string) error {
	e, err := s.Stat(p)
	if err != nil {
		return err
	}
	if e.Folder {
		err = s.root.RemoveAll(e.Path)
	} else {
		err = s.root.Remove(e.Path)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", e.Path, err)
	}
	return nil
}

// Files returns the paths of the files under e (e itself for a file).
func (e Entry) Files() []string {
	if !e.Folder {
		return []string{e.Path}
	}
	var out []string
	for _, c := range e.Children {
		out = append(out, c.Files()...)
	}
	return out
}

// notFound names what the folder's os.Root answered: a path that is not
// there (ErrNotFound), or one that leads out of the folder through a link
// (ErrBadName).
func notFound(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case escapes(err):
		return fmt.Errorf("%w: it leads out of the uploads folder: %w", ErrBadName, err)
	}
	return err
}

// escapes reports whether err is os.Root's refusal of a path that leads
// out of its folder: a path or link error that the system did not give
// (os.Root gives it before asking the system).
func escapes(err error) bool {
	var inner error
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		inner = pe.Err
	case errors.As(err, &le):
		inner = le.Err
	default:
		return false
	}
	var errno syscall.Errno
	return inner != nil && !errors.As(inner, &errno)
}
