package install

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// extractor writes the entries of an archive (or the files of a folder)
// into a destination folder, refusing every entry that is not a plain
// file or folder or that would land outside it, and enforcing the limits
// on what it actually writes: the total size, the number of entries and
// the ratio to the archive's size. It never writes through anything but
// the destination's os.Root, creates files with O_EXCL and makes files
// 0644 or 0755 and folders 0755.
type extractor struct {
	root   *os.Root
	lim    Limits
	packed int64 // the archive's size, for the ratio; 0: no ratio
	// written is the number of bytes written so far; entries the number
	// of entries seen.
	written int64
	entries int
	// kinds holds every path made, lower-cased (so that names differing
	// only in case, the same file on some systems, collide): true for a
	// folder. given holds those an entry named.
	kinds map[string]bool
	given map[string]bool
}

func newExtractor(root *os.Root, lim Limits, packed int64) *extractor {
	return &extractor{root: root, lim: lim, packed: packed, kinds: map[string]bool{}, given: map[string]bool{}}
}

// cleanName checks an entry's name (slash-separated, as archives have
// them) and returns it without "." and empty elements. Refused, with
// ErrUnsafe: a NUL byte or backslash, an absolute path, a ".." element,
// a name that is not local to the folder (a Windows device name on
// Windows).
func cleanName(raw string) (string, error) {
	switch {
	case strings.ContainsRune(raw, 0):
		return "", fail(ErrUnsafe, "entry %q has a NUL byte in its name", raw)
	case strings.Contains(raw, `\`):
		return "", fail(ErrUnsafe, "entry %q has a backslash in its name", raw)
	case strings.HasPrefix(raw, "/"):
		return "", fail(ErrUnsafe, "entry %q is an absolute path", raw)
	}
	parts := make([]string, 0, strings.Count(raw, "/")+1)
	for _, p := range strings.Split(raw, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", fail(ErrUnsafe, "entry %q leaves the folder", raw)
		}
		parts = append(parts, p)
	}
	name := strings.Join(parts, "/")
	if name != "" && !filepath.IsLocal(filepath.FromSlash(name)) {
		return "", fail(ErrUnsafe, "entry %q is not a path inside the folder", raw)
	}
	return name, nil
}

// claim counts an entry and records the path it makes, refusing one
// beyond the file limit, a duplicate, a folder entry where a file is and
// the reverse.
func (x *extractor) claim(raw string, dir bool) (string, error) {
	x.entries++
	if x.entries > x.lim.Files {
		return "", fail(ErrLimit, "more than %d entries", x.lim.Files)
	}
	name, err := cleanName(raw)
	if err != nil {
		return "", err
	}
	if name == "" {
		if dir {
			return "", nil // the destination itself ("./")
		}
		return "", fail(ErrUnsafe, "entry %q is a file without a name", raw)
	}
	key := strings.ToLower(name)
	for i := strings.IndexByte(key, '/'); i >= 0; i = next(key, i) {
		if isDir, ok := x.kinds[key[:i]]; ok && !isDir {
			return "", fail(ErrUnsafe, "entry %q is inside %q, a file", raw, name[:i])
		}
		x.kinds[key[:i]] = true
	}
	if isDir, ok := x.kinds[key]; ok && isDir != dir {
		return "", fail(ErrUnsafe, "entry %q is a file and a folder", raw)
	}
	if x.given[key] {
		return "", fail(ErrUnsafe, "entry %q is a duplicate", raw)
	}
	x.given[key], x.kinds[key] = true, dir
	return name, nil
}

// next returns the index of the next slash in s after i, or -1.
func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// dir makes the folder an entry named raw gives.
func (x *extractor) dir(raw string) error {
	name, err := x.claim(raw, true)
	if err != nil || name == "" {
		return err
	}
	return x.mkdirs(name)
}

// file writes the file an entry named raw gives, with r's content: 0755
// when mode has an executable bit, else 0644.
func (x *extractor) file(raw string, mode fs.FileMode, r io.Reader) error {
	name, err := x.claim(raw, false)
	if err != nil {
		return err
	}
	if dir := path.Dir(name); dir != "." {
		if err := x.mkdirs(dir); err != nil {
			return err
		}
	}
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	f, err := x.root.OpenFile(filepath.FromSlash(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	src := &readTracker{r: r}
	_, err = io.Copy(&limitedWriter{f: f, x: x}, src)
	switch {
	case err != nil && src.err != nil && errors.Is(err, src.err):
		err = fail(ErrInvalid, "entry %q is corrupt: %w", raw, err)
	case err == nil:
		err = f.Chmod(perm) // whatever the umask made of it
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mkdirs makes folder name and its parents, each 0755.
func (x *extractor) mkdirs(name string) error {
	parts := strings.Split(name, "/")
	for i := range parts {
		p := filepath.FromSlash(strings.Join(parts[:i+1], "/"))
		switch err := x.root.Mkdir(p, 0o755); {
		case err == nil:
			if err := x.root.Chmod(p, 0o755); err != nil { // whatever the umask made of it
				return err
			}
		case !errors.Is(err, fs.ErrExist):
			return err
		}
	}
	return nil
}

// limitedWriter writes into an unpacked file, counting the bytes against
// the limits before writing them.
type limitedWriter struct {
	f *os.File
	x *extractor
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	x := w.x
	total := x.written + int64(len(p))
	if total > x.lim.Unpacked {
		return 0, fail(ErrLimit, "unpacks to more than %d bytes", x.lim.Unpacked)
	}
	if x.packed > 0 && total > x.packed*int64(x.lim.Ratio) {
		return 0, fail(ErrLimit, "unpacks to more than %d times its %d bytes", x.lim.Ratio, x.packed)
	}
	n, err := w.f.Write(p)
	x.written += int64(n)
	return n, err
}

// readTracker remembers the error its reader returned, so that a corrupt
// entry is told from a failed write.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// describeType names what an entry of mode m is, for refusals.
func describeType(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device file"
	}
	return fmt.Sprintf("not a file or folder (%s)", m.Type())
}
