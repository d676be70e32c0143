package logging

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// fileList is the answer of GET /logs: the log files, and the free and
// total bytes of the disk they are on.
type fileList struct {
	Files []fileInfo `json:"files"`
	Free  uint64     `json:"free"`
	Total uint64     `json:"total"`
}

// fileInfo is one log file as OctoPrint lists it: its name, when it was
// last written (Unix seconds), its size in bytes and its URLs.
type fileInfo struct {
	Name string   `json:"name"`
	Date int64    `json:"date"`
	Size int64    `json:"size"`
	Refs fileRefs `json:"refs"`
}

// fileRefs are a log file's URLs: both are GET /plugin/logging/logs/<name>
// (OctoPrint's download is under /downloads/logs/, which Tentacle does not
// serve).
type fileRefs struct {
	Resource string `json:"resource"`
	Download string `json:"download"`
}

// isLogFile reports whether name, in the logs folder, is a log file the
// plugin shows: the file the server writes and its rotated files, *.log
// and *.log.gz, none hidden, none in a subfolder.
func isLogFile(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`) &&
		(strings.HasSuffix(name, ".log") || strings.HasSuffix(name, ".log.gz"))
}

// files lists the log files, sorted by name.
func (p *Implementation) files(l bundled.Logs, r *http.Request) (fileList, error) {
	entries, err := os.ReadDir(l.Dir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fileList{}, err
	}
	out := fileList{Files: []fileInfo{}}
	base := "http://" + r.Host + "/plugin/" + ID + "/logs/"
	for _, e := range entries {
		if !e.Type().IsRegular() || !isLogFile(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // rotated away since the folder was read
		}
		ref := base + url.PathEscape(e.Name())
		out.Files = append(out.Files, fileInfo{Name: e.Name(), Date: info.ModTime().Unix(), Size: info.Size(),
			Refs: fileRefs{Resource: ref, Download: ref}})
	}
	slices.SortFunc(out.Files, func(a, b fileInfo) int { return strings.Compare(a.Name, b.Name) })
	out.Free, out.Total = l.DiskSpace()
	return out, nil
}

// errNoFile is the 404 of a name that is not a log file.
func errNoFile(name string) error {
	return &server.APIError{Status: http.StatusNotFound, Message: "no log file " + quote(name)}
}

// openFile opens log file name, read-only and inside the logs folder.
func openFile(l bundled.Logs, name string) (*os.File, fs.FileInfo, error) {
	if !isLogFile(name) {
		return nil, nil, errNoFile(name)
	}
	root, err := os.OpenRoot(l.Dir())
	if err != nil {
		return nil, nil, errNoFile(name)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, errNoFile(name)
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNoFile(name)
	}
	return f, info, nil
}

// download answers GET /logs/<name>: the file, as an attachment.
func (p *Implementation) download(w http.ResponseWriter, r *http.Request) {
	l, ok := p.admitted(w, r)
	if !ok {
		return
	}
	f, info, err := openFile(l, r.PathValue("name"))
	if err != nil {
		httpjson.Fail(w, err)
		return
	}
	defer f.Close()
	ctype := "text/plain; charset=utf-8"
	if strings.HasSuffix(info.Name(), ".gz") {
		ctype = "application/gzip"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(info.Name()))
	http.ServeContent(w, r, info.Name(), info.ModTime(), f)
}

// deleteFile deletes log file name. The file the server writes is not
// deleted: it is rotated.
func deleteFile(l bundled.Logs, name string) error {
	f, _, err := openFile(l, name)
	if err != nil {
		return err
	}
	f.Close()
	if name == l.Active() {
		return &server.APIError{Status: http.StatusConflict, Message: quote(name) + " is the log the server writes: it is rotated (config.yaml logging.maxSize), not deleted"}
	}
	root, err := os.OpenRoot(l.Dir())
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.Remove(name); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errNoFile(name)
		}
		return err
	}
	return nil
}
