package cli

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// installSource turns the SRC of "plugins install" into the Plugin
// Manager's request: an http(s) URL (any "scheme://" is taken for a URL,
// and the installer refuses what is not http or https), an existing file or
// folder (by its absolute path, which the server reads as it is on this
// machine), else a plugin identifier of the repository. Anything else (a
// path that does not exist) is sent as a path, so that the install fails
// with the same message through the server and offline.
func installSource(src string) (bundled.InstallRequest, error) {
	if strings.Contains(src, "://") {
		return bundled.InstallRequest{URL: src}, nil
	}
	if _, err := os.Stat(src); err != nil && tentacle.ValidIdentifier(src) {
		return bundled.InstallRequest{RepositoryID: src}, nil
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return bundled.InstallRequest{}, err
	}
	return bundled.InstallRequest{Path: abs}, nil
}

// reinstallID returns the identifier of the plugin an install request
// holds, for --reinstall without a value, as the installer will find it: a
// repository entry's identifier, the name of a .go file without its
// extension, a folder's name, or the one top folder of an archive (names
// starting with . or _ aside). ok is false when it cannot be told without
// downloading (a URL that does not name a .go file) or reading fails; the
// install then names what it found.
func reinstallID(req bundled.InstallRequest) (id string, ok bool) {
	switch {
	case req.RepositoryID != "":
		return req.RepositoryID, true
	case req.URL != "":
		name := req.URL
		if i := strings.IndexAny(name, "?#"); i >= 0 {
			name = name[:i]
		}
		return goFileID(path.Base(name))
	}
	fi, err := os.Stat(req.Path)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		return filepath.Base(req.Path), true
	}
	if id, ok := goFileID(filepath.Base(req.Path)); ok {
		return id, true
	}
	names, err := archiveNames(req.Path)
	if err != nil {
		return "", false
	}
	return topFolder(names)
}

// goFileID returns the identifier of a one-file source plugin named name.
func goFileID(name string) (string, bool) {
	id, ok := strings.CutSuffix(name, ".go")
	return id, ok && id != ""
}

// archiveNames returns the names of the entries of a .zip, .tar.gz, .tgz
// or .tar archive, told by its first bytes.
func archiveNames(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(262)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		zr, err := zip.NewReader(f, fi.Size())
		if err != nil {
			return nil, err
		}
		names := make([]string, len(zr.File))
		for i, zf := range zr.File {
			names[i] = zf.Name
		}
		return names, nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return tarNames(gz)
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return tarNames(br)
	}
	return nil, errors.New("not an archive")
}

// tarNames returns the names of a tar stream's entries.
func tarNames(r io.Reader) ([]string, error) {
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		names = append(names, h.Name)
	}
}

// topFolder returns the one folder at the top of an archive's entries,
// names starting with . or _ aside, as the installer wants it.
func topFolder(names []string) (string, bool) {
	tops := make(map[string]bool) // top-level name -> it is a folder
	for _, raw := range names {
		raw = strings.ReplaceAll(raw, `\`, "/")
		first, _, nested := strings.Cut(strings.TrimPrefix(path.Clean("/"+raw), "/"), "/")
		if first == "" || strings.HasPrefix(first, ".") || strings.HasPrefix(first, "_") {
			continue
		}
		tops[first] = tops[first] || nested || strings.HasSuffix(raw, "/")
	}
	for name, folder := range tops {
		return name, folder && len(tops) == 1
	}
	return "", false
}
