package serve

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/tentacle-go/tentacle/internal/files"
	"github.com/tentacle-go/tentacle/server"
)

// fileEntry is a file or folder of GET /api/files, OctoPrint's.
type fileEntry struct {
	Name     string         `json:"name"`
	Display  string         `json:"display"`
	Path     string         `json:"path"`
	Type     string         `json:"type"`
	TypePath []string       `json:"typePath"`
	Origin   string         `json:"origin"`
	Size     int64          `json:"size"`
	Date     int64          `json:"date"`
	Refs     map[string]any `json:"refs"`
	Children *[]fileEntry   `json:"children,omitempty"`
}

// gcodeType is the type path of a printable file, OctoPrint's.
var gcodeType = []string{"machinecode", "gcode"}

// baseURL is the address clients reach the server at, for refs.
func baseURL(r *http.Request) string { return "http://" + r.Host }

// escapePath escapes each element of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, el := range parts {
		parts[i] = url.PathEscape(el)
	}
	return strings.Join(parts, "/")
}

func fileRefs(r *http.Request, e files.Entry) map[string]any {
	refs := map[string]any{"resource": baseURL(r) + "/api/files/local/" + escapePath(e.Path)}
	if !e.Folder {
		refs["download"] = baseURL(r) + "/downloads/files/local/" + escapePath(e.Path)
	}
	return refs
}

// toEntry converts an entry of the uploads folder; with recursive, a
// folder's children are converted too.
func toEntry(r *http.Request, e files.Entry, recursive bool) fileEntry {
	out := fileEntry{
		Name: e.Name, Display: e.Name, Path: e.Path, Type: "machinecode", TypePath: gcodeType,
		Origin: "local", Size: e.Size, Date: e.Date.Unix(), Refs: fileRefs(r, e),
	}
	if e.Folder {
		out.Type, out.TypePath = "folder", []string{"folder"}
		children := []fileEntry{}
		if recursive {
			for _, c := range e.Children {
				children = append(children, toEntry(r, c, true))
			}
		}
		out.Children = &children
	}
	return out
}

// filesFailed answers an error of the uploads folder.
func (s *Server) filesFailed(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, files.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, files.ErrBadName):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, files.ErrNotPrintable):
		writeError(w, http.StatusUnsupportedMediaType, err.Error())
	case errors.Is(err, files.ErrExists):
		writeError(w, http.StatusConflict, err.Error())
	default:
		s.log.Warn("uploads folder", "error", err)
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

// listFiles answers GET /api/files and GET /api/files/local.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	recursive := truthy(r.URL.Query().Get("recursive"))
	entries, err := s.uploads.List("")
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	out := []fileEntry{}
	for _, e := range entries {
		out = append(out, toEntry(r, e, recursive))
	}
	free, total := diskSpace(s.uploads.Dir())
	writeJSON(w, http.StatusOK, map[string]any{"files": out, "free": free, "total": total})
}

// getFile answers GET /api/files/local/<path>: a file's or a folder's
// entry (a folder's with its children).
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if p == "" {
		s.listFiles(w, r)
		return
	}
	e, err := s.uploads.Stat(p)
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toEntry(r, e, true))
}

// busy reports whether p is, or holds, the file being printed.
func (s *Server) busy(p string) bool {
	st := s.printerStateOf()
	if !st.State.Flags.Printing && !st.State.Flags.Paused {
		return false
	}
	job := st.Job.Path
	return job != "" && (job == p || strings.HasPrefix(job, p+"/"))
}

// fileEvents fires an event of the uploads folder, then UpdatedFiles.
func (s *Server) fileEvents(event string, e files.Entry) {
	payload := map[string]any{"storage": "local", "target": "local", "name": e.Name, "path": e.Path, "type": gcodeType}
	if e.Folder {
		event = map[string]string{server.EventFileAdded: "FolderAdded", server.EventFileRemoved: "FolderRemoved"}[event]
		delete(payload, "type")
	}
	s.bus.Fire(event, payload)
	s.bus.Fire(server.EventUpdatedFiles, map[string]any{"type": "printables"})
}

// postFiles takes an upload (multipart: file, path, select, print) or a
// new folder (foldername, path) into the uploads folder.
func (s *Server) postFiles(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body must be multipart/form-data: "+err.Error())
		return
	}
	form := map[string]string{}
	var staged *files.Staged
	var filename string
	defer func() {
		if staged != nil {
			staged.Discard()
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "cannot read the form: "+err.Error())
			return
		}
		name := part.FormName()
		if name == "file" && part.FileName() != "" {
			if staged != nil {
				writeError(w, http.StatusBadRequest, "only one file per upload")
				return
			}
			// The name is checked before the content is read.
			filename = strings.TrimPrefix(part.FileName(), "/")
			if _, err := files.CleanFile(filename); err != nil {
				s.filesFailed(w, err)
				return
			}
			if staged, err = s.uploads.Stage("", part); err != nil {
				s.filesFailed(w, err)
				return
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 4096))
		if err != nil {
			writeError(w, http.StatusBadRequest, "cannot read the form: "+err.Error())
			return
		}
		form[name] = string(v)
	}
	folder := strings.Trim(form["path"], "/")
	if folder != "" {
		if _, err := files.Clean(folder); err != nil {
			s.filesFailed(w, err)
			return
		}
	}
	switch {
	case staged != nil:
		s.upload(w, r, staged, path.Join(folder, filename), truthy(form["select"]), truthy(form["print"]))
		staged = nil
	case form["foldername"] != "":
		e, err := s.uploads.Mkdir(path.Join(folder, form["foldername"]))
		if err != nil {
			s.filesFailed(w, err)
			return
		}
		s.fileEvents(server.EventFileAdded, e)
		refs := fileRefs(r, e)
		w.Header().Set("Location", refs["resource"].(string))
		writeJSON(w, http.StatusCreated, map[string]any{
			"done":   true,
			"folder": map[string]any{"name": e.Name, "path": e.Path, "origin": "local", "refs": refs},
		})
	default:
		writeError(w, http.StatusBadRequest, `no "file" and no "foldername" in the form`)
	}
}

// upload puts a staged upload in place as p, then selects and prints it
// when asked.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, staged *files.Staged, p string, sel, print bool) {
	p, err := files.CleanFile(p)
	if err != nil {
		staged.Discard()
		s.filesFailed(w, err)
		return
	}
	if s.busy(p) {
		staged.Discard()
		writeError(w, http.StatusConflict, "trying to overwrite the file being printed")
		return
	}
	e, err := staged.Commit(p)
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	s.fileEvents(server.EventFileAdded, e)
	s.bus.Fire(server.EventUpload, map[string]any{"name": e.Name, "path": e.Path, "target": "local", "select": sel, "print": print})
	effectiveSelect, effectivePrint := false, false
	if sel || print {
		if svc, _, ok := s.operationalQuiet(); ok {
			if err := svc.SelectFile(e.Path, print); err == nil {
				effectiveSelect, effectivePrint = true, print
			} else {
				s.log.Info("uploaded file not selected", "path", e.Path, "error", err)
			}
		}
	}
	refs := fileRefs(r, e)
	w.Header().Set("Location", refs["resource"].(string))
	writeJSON(w, http.StatusCreated, map[string]any{
		"done":            true,
		"files":           map[string]any{"local": map[string]any{"name": e.Name, "origin": "local", "path": e.Path, "refs": refs}},
		"effectiveSelect": effectiveSelect,
		"effectivePrint":  effectivePrint,
	})
}

// operationalQuiet is operational without an answer.
func (s *Server) operationalQuiet() (printerService, server.PrinterState, bool) {
	svc := s.printer.svc
	if svc == nil {
		return nil, server.PrinterState{}, false
	}
	st := svc.State()
	return svc, st, st.State.Flags.Operational
}

// postFile takes a command on a file: select (with print).
func (s *Server) postFile(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	body, name, ok := readCommand(w, r)
	if !ok {
		return
	}
	switch name {
	case "select":
	case "slice", "copy", "move", "analyse":
		writeError(w, http.StatusBadRequest, fmt.Sprintf("command %q is not supported", name))
		return
	default:
		unknownCommand(w, name)
		return
	}
	var print bool
	if _, ok := body.get(w, "print", &print); !ok {
		return
	}
	e, err := s.uploads.Stat(r.PathValue("path"))
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	if e.Folder {
		writeError(w, http.StatusBadRequest, "a folder cannot be selected")
		return
	}
	svc, st, ok := s.operational(w)
	if !ok {
		return
	}
	if print && (st.State.Flags.Printing || st.State.Flags.Paused) {
		writeError(w, http.StatusConflict, "Printer is already printing, cannot select and print")
		return
	}
	if err := svc.SelectFile(e.Path, print); err != nil {
		s.printerFailed(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteFile removes a file or a folder, unless it is (or holds) the file
// being printed.
func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	e, err := s.uploads.Stat(r.PathValue("path"))
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	if s.busy(e.Path) {
		writeError(w, http.StatusConflict, "trying to delete the file being printed")
		return
	}
	if svc := s.printer.svc; svc != nil {
		if job := svc.State().Job.Path; job != "" && (job == e.Path || strings.HasPrefix(job, e.Path+"/")) {
			_ = svc.UnselectFile()
		}
	}
	if err := s.uploads.Remove(e.Path); err != nil {
		s.filesFailed(w, err)
		return
	}
	s.fileEvents(server.EventFileRemoved, e)
	w.WriteHeader(http.StatusNoContent)
}

// downloadFile answers GET /downloads/files/local/<path>.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.uploads.Open(r.PathValue("path"))
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.filesFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/x-gcode")
	w.Header().Set("Content-Disposition", disposition("attachment", path.Base(r.PathValue("path"))))
	http.ServeContent(w, r, info.Name(), info.ModTime(), f)
}

// disposition formats a Content-Disposition value.
func disposition(kind, filename string) string {
	return kind + "; filename*=UTF-8''" + url.PathEscape(filename)
}
