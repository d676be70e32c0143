package process

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// mixinCaller calls the methods of the plugin's implementation as one
// mixin, for the mixin's proxy ([tentacle.Mixin.Proxy]).
type mixinCaller struct {
	in    *instance
	mixin string // wire.MixinName of the mixin
}

var _ tentacle.RemoteCaller = mixinCaller{}

// Call implements tentacle.RemoteCaller: a failure panics, an error the
// method returned is returned (with its HTTP status, if it had one).
func (c mixinCaller) Call(method string, args []any, outs ...any) error {
	target := c.mixin + "." + method
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		vals[i] = reflect.ValueOf(&a).Elem()
		if a != nil {
			vals[i] = reflect.ValueOf(a)
		}
	}
	b, err := wire.Encode(vals)
	if err != nil {
		panic(fmt.Errorf("plugin %q: %s: arguments: %w", c.in.id, target, err))
	}
	res, err := c.in.call(pluginpb.CallRequest_METHOD, target, c.in.opts.CallTimeout, b)
	if rerr := remoteErr(res, err); rerr != nil {
		return rerr
	}
	if len(outs) == 0 {
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(res.Results, &raw); err != nil || len(raw) != len(outs) {
		panic(fmt.Errorf("plugin %q: %s: %d results, want %d", c.in.id, target, len(raw), len(outs)))
	}
	for i, o := range outs {
		if err := c.decode(raw[i], o); err != nil {
			panic(fmt.Errorf("plugin %q: %s: result %d: %w", c.in.id, target, i, err))
		}
	}
	return nil
}

// decode decodes one result into out (a pointer); an http.Handler or an
// fs.FS becomes a remote object of the plugin's process.
func (c mixinCaller) decode(raw json.RawMessage, out any) error {
	var obj *wire.Object
	switch p := out.(type) {
	case *http.Handler:
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if obj != nil {
			*p = remoteHandler{in: c.in, id: obj.ID}
		}
		return nil
	case *fs.FS:
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if obj != nil {
			*p = remoteFS{in: c.in, id: obj.ID}
		}
		return nil
	}
	return wire.Unmarshal(raw, out)
}

// remoteErr turns a call's outcome into the error of a function that
// returns only an error; a failed call (a *wire.CallError) and a remote
// panic panic here too, so that the manager records them as a fault.
func remoteErr(res wire.Result, err error) error {
	switch {
	case err != nil:
		panic(&wire.CallError{Err: err})
	case res.Panicked != "":
		panic(&wire.RemotePanic{Value: res.Panicked})
	}
	return res.Error()
}

// running returns the instance's process, or fails when it does not run.
func (in *instance) running() (*proc, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed || in.crashed || in.p == nil {
		return nil, fmt.Errorf("plugin %q: %w", in.id, errNotRunning)
	}
	return in.p, nil
}

// remoteHandler is an http.Handler that stays in the plugin's process (a
// Blueprint's): each request is forwarded there.
type remoteHandler struct {
	in *instance
	id uint64
}

func (h remoteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxRequestBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	req := &pluginpb.HTTPRequest{Object: h.id, Method: r.Method, Url: r.URL.String(), Body: body, RemoteAddr: r.RemoteAddr}
	for name, vals := range r.Header {
		req.Headers = append(req.Headers, &pluginpb.Header{Name: name, Values: vals})
	}
	p, err := h.in.running()
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.in.opts.CallTimeout)
	defer cancel()
	resp, err := p.serveHTTP(ctx, req)
	if err != nil {
		panic(fmt.Errorf("plugin %q: http handler: %w", h.in.id, err))
	}
	for _, hd := range resp.Headers {
		for _, v := range hd.Values {
			w.Header().Add(hd.Name, v)
		}
	}
	w.WriteHeader(int(resp.Status))
	_, _ = w.Write(resp.Body)
}

// remoteFS is a file system that stays in the plugin's process (an
// Asset's): each file is read whole from there.
type remoteFS struct {
	in *instance
	id uint64
}

func (f remoteFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	p, err := f.in.running()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.in.opts.CallTimeout)
	defer cancel()
	resp, err := p.readFile(ctx, &pluginpb.FileRequest{Object: f.id, Name: name})
	switch {
	case err != nil:
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	case !resp.Exists:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, dir: resp.IsDir, r: bytes.NewReader(resp.Data), size: int64(len(resp.Data))}, nil
}

// memFile is a file read whole from a plugin's process.
type memFile struct {
	name string
	dir  bool
	size int64
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Seek(off int64, whence int) (int64, error) {
	return f.r.Seek(off, whence)
}
func (f *memFile) Close() error { return nil }
func (f *memFile) Name() string {
	return f.name[strings.LastIndex(f.name, "/")+1:]
}
func (f *memFile) Size() int64 { return f.size }
func (f *memFile) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (f *memFile) ModTime() time.Time { return time.Time{} }
func (f *memFile) IsDir() bool        { return f.dir }
func (f *memFile) Sys() any           { return nil }
