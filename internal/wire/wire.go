// Package wire is how Go values cross between the host and a process
// plugin: a call's arguments and results travel as JSON arrays, converted
// from and to the Go types of the function on each side by reflection.
// Both the host (tier/process) and the plugin side (package sdk) use it.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

var (
	errorType   = reflect.TypeFor[error]()
	requestType = reflect.TypeFor[*http.Request]()
	handlerType = reflect.TypeFor[http.Handler]()
	fsType      = reflect.TypeFor[fs.FS]()
)

// IsObject reports whether values of type t stay in the process that made
// them and cross as an [Object]: an http.Handler or an fs.FS.
func IsObject(t reflect.Type) bool { return t == handlerType || t == fsType }

// Object is what crosses of a value that stays in its process (an
// http.Handler or fs.FS result): its identifier there.
type Object struct {
	ID uint64 `json:"object"`
}

// Encode marshals values as a JSON array. An *http.Request crosses as a
// [Request] with its body.
func Encode(values []reflect.Value) ([]byte, error) {
	out := make([]json.RawMessage, len(values))
	for i, v := range values {
		x := FloatsMarked(v.Interface())
		if v.Type() == requestType && !v.IsNil() {
			q, err := RequestWithBody(v.Interface().(*http.Request))
			if err != nil {
				return nil, fmt.Errorf("value %d (%s): %w", i, v.Type(), err)
			}
			x = q
		}
		b, err := json.Marshal(x)
		if err != nil {
			return nil, fmt.Errorf("value %d (%s): %w", i, v.Type(), err)
		}
		out[i] = b
	}
	return json.Marshal(out)
}

// Decode unmarshals a JSON array into values of the given types. An
// *http.Request is rebuilt from its [Request]; an http.Handler or fs.FS
// cannot be decoded here (its process must be called: see [Object]).
func Decode(data []byte, types []reflect.Type) ([]reflect.Value, error) {
	var raw []json.RawMessage
	if len(data) > 0 {
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("not a JSON array: %w", err)
		}
	}
	if len(raw) != len(types) {
		return nil, fmt.Errorf("%d values, want %d", len(raw), len(types))
	}
	out := make([]reflect.Value, len(types))
	for i, t := range types {
		if t == requestType {
			var q *Request
			if err := json.Unmarshal(raw[i], &q); err != nil {
				return nil, fmt.Errorf("value %d (%s): %w", i, t, err)
			}
			out[i] = reflect.Zero(t)
			if q != nil {
				out[i] = reflect.ValueOf(q.HTTP())
			}
			continue
		}
		if IsObject(t) {
			return nil, fmt.Errorf("value %d: a %s stays in its process and cannot be decoded here", i, t)
		}
		p := reflect.New(t)
		if !bytes.Equal(raw[i], []byte("null")) {
			if err := Unmarshal(raw[i], p.Interface()); err != nil {
				return nil, fmt.Errorf("value %d (%s): %w", i, t, err)
			}
		}
		out[i] = p.Elem()
	}
	return out, nil
}

// Split returns a function type's parameter types, its result types
// without a final error, and whether it has that final error.
func Split(t reflect.Type) (in, out []reflect.Type, hasErr bool) {
	for i := 0; i < t.NumIn(); i++ {
		in = append(in, t.In(i))
	}
	n := t.NumOut()
	hasErr = n > 0 && t.Out(n-1) == errorType
	if hasErr {
		n--
	}
	for i := 0; i < n; i++ {
		out = append(out, t.Out(i))
	}
	return in, out, hasErr
}

// Check reports why values of a function type cannot cross (an argument or
// result JSON cannot carry: a func, a channel, an interface other than
// error and any), or nil.
func Check(t reflect.Type) error {
	if t.Kind() != reflect.Func {
		return fmt.Errorf("%s is not a function", t)
	}
	if t.IsVariadic() {
		return fmt.Errorf("%s is variadic", t)
	}
	in, out, _ := Split(t)
	for _, x := range append(in, out...) {
		if err := carriable(x, 0); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

func carriable(t reflect.Type, depth int) error {
	if depth > 16 || depth == 0 && (t == requestType || IsObject(t)) {
		return nil
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return fmt.Errorf("%s cannot cross a process boundary", t)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("%s (an interface) cannot cross a process boundary", t)
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return carriable(t.Elem(), depth+1)
	case reflect.Map:
		if err := carriable(t.Key(), depth+1); err != nil {
			return err
		}
		return carriable(t.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				if err := carriable(f.Type, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Result is what a call returned, as it crosses back.
type Result struct {
	Results  []byte // JSON array, without the final error
	Err      string
	HasErr   bool
	Status   int // the HTTP status Err carried (an error with HTTPStatus() int); 0: none
	Panicked string
}

// Raw returns the results one by one, still JSON, and the error the
// function returned as a *RemoteError, as a RemoteFunc returns them. A
// panic is the caller's to handle first (Panicked).
func (r Result) Raw() ([]json.RawMessage, error) {
	var out []json.RawMessage
	if one, ok := plainTextResult(r.Results); ok {
		out = []json.RawMessage{one}
	} else if len(r.Results) > 0 {
		if err := json.Unmarshal(r.Results, &out); err != nil {
			return nil, err
		}
	}
	if r.HasErr {
		return out, r.Error()
	}
	return out, nil
}

// Error returns the error the function returned, as a *RemoteError, or
// nil.
func (r Result) Error() error {
	if !r.HasErr {
		return nil
	}
	return &RemoteError{Message: r.Err, Status: r.Status}
}

// maxWhole is the largest whole number WholeNumbers makes an int: 2^53-1,
// beyond which a float64 no longer holds every integer (and the settings
// store takes no integer).
const maxWhole = 1<<53 - 1

// WholeNumbers turns the whole float64 numbers JSON decodes into ints
// (int64 where int is too small, on 32-bit systems), in place through maps
// and slices, as the settings store keeps them. Only
// those within ±(2^53-1) are turned: a larger whole number is a float64
// that JSON may have rounded, and stays one.
func WholeNumbers(v any) any {
	switch v := v.(type) {
	case float64:
		if v >= -maxWhole && v <= maxWhole && v == math.Trunc(v) {
			if v < math.MinInt || v > math.MaxInt {
				return int64(v) // a 32-bit system's int is too small
			}
			return int(v)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = WholeNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = WholeNumbers(e)
		}
	}
	return v
}

// FloatsMarked returns a copy of v, through maps and slices, in which every
// float64 is a json.Number written with a fraction or an exponent (5.0,
// not 5), so that JSON keeps it apart from an int: what crosses for a
// SimpleAPI command's data, which [Numbers] turns back on the other side.
// NaN and infinities, which JSON cannot carry, are left as they are.
func FloatsMarked(v any) any {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return v
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return json.Number(s)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = FloatsMarked(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = FloatsMarked(e)
		}
		return out
	}
	return v
}

// Unmarshal decodes one value that crossed into ptr. Numbers held by an
// interface (an any, or the elements of a map[string]any or []any) come
// out as they went in, marked by Encode ([FloatsMarked]): an int as an
// int, a float64 as a float64 (5.0 included), as the settings store and
// the server's JSON decoding give them in process. Numbers in struct
// fields of type any are float64, as encoding/json gives them.
func Unmarshal(data []byte, ptr any) error {
	t := reflect.TypeOf(ptr).Elem()
	if !holdsNumbers(t) {
		return json.Unmarshal(data, ptr)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(ptr); err != nil {
		return err
	}
	v := reflect.ValueOf(ptr).Elem()
	if !v.IsZero() {
		v.Set(reflect.ValueOf(Numbers(v.Interface())).Convert(t))
	}
	return nil
}

// holdsNumbers reports whether values of type t keep their numbers in
// interfaces that Numbers reaches: any, map[string]any, []any.
func holdsNumbers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return t.NumMethod() == 0
	case reflect.Map:
		return t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0
	}
	return false
}

// Numbers turns the json.Number values of a UseNumber decoder into Go
// numbers, in place through maps and slices, as the server hands a
// SimpleAPI command's data over: int for a number written as an integer
// that fits, float64 for any other (5.0 included).
func Numbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && int64(int(i)) == i {
			return int(i)
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = Numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = Numbers(e)
		}
	}
	return v
}

// Call calls fn with arguments decoded from args, recovering a panic, and
// encodes what it returns. err is for a call that could not be made (bad
// arguments, unencodable results), not for an error fn returned. hold, when
// not nil, keeps a result that stays in this process (an http.Handler or
// fs.FS, see [IsObject]) and returns its identifier, which crosses as an
// [Object]; without it, such a result cannot cross.
func Call(fn reflect.Value, args []byte, hold func(v any) uint64) (res Result, err error) {
	if isStringFunc(fn.Type()) {
		return callStringFunc(fn, args)
	}
	in, outTypes, hasErr := Split(fn.Type())
	vals, err := Decode(args, in)
	if err != nil {
		return res, fmt.Errorf("arguments: %w", err)
	}
	var outs []reflect.Value
	func() {
		defer func() {
			if r := recover(); r != nil {
				res.Panicked = fmt.Sprint(r)
			}
		}()
		outs = fn.Call(vals)
	}()
	if res.Panicked != "" {
		return res, nil
	}
	if hasErr {
		if e, _ := outs[len(outs)-1].Interface().(error); e != nil {
			res.Err, res.HasErr, res.Status = e.Error(), true, statusOf(e)
		}
		outs = outs[:len(outs)-1]
	}
	for i, t := range outTypes {
		if !IsObject(t) {
			continue
		}
		if hold == nil {
			return res, fmt.Errorf("result %d: a %s cannot cross a process boundary here", i, t)
		}
		ref := reflect.ValueOf((*Object)(nil))
		if !outs[i].IsNil() {
			ref = reflect.ValueOf(&Object{ID: hold(outs[i].Interface())})
		}
		outs[i] = ref
	}
	if res.Results, err = Encode(outs); err != nil {
		return res, fmt.Errorf("results: %w", err)
	}
	return res, nil
}

// RemoteError is an error a plugin's code returned, carried back as text,
// with the HTTP status it carried, if any.
type RemoteError struct {
	Message string
	Status  int
}

func (e *RemoteError) Error() string { return e.Message }

// HTTPStatus returns the HTTP status the error carried, or 0.
func (e *RemoteError) HTTPStatus() int { return e.Status }

// statusOf returns the HTTP status an error carries (an HTTPStatus() int
// method anywhere in its chain), or 0.
func statusOf(err error) int {
	var se interface{ HTTPStatus() int }
	if errors.As(err, &se) {
		return se.HTTPStatus()
	}
	return 0
}

// RemotePanic is a panic in a plugin's code, recovered in its process.
type RemotePanic struct{ Value string }

func (e *RemotePanic) Error() string { return "panic: " + e.Value }

// MakeFunc returns a function of type t that calls invoke with its
// arguments as JSON and turns what invoke returns into t's results. An
// error the remote code returned becomes the final error result (a
// *RemoteError) when t has one. A failure (the call could not be made, it
// timed out, the remote code panicked) panics with the failure (a
// *CallError, or a *RemotePanic), as the code would have panicked in
// process: the host recovers it where it calls plugin code
// (hooks.Hook.Call, the manager), skips the handler and counts the fault.
func MakeFunc(t reflect.Type, invoke func(args []byte) (Result, error)) reflect.Value {
	if isStringFunc(t) {
		return makeStringFunc(t, invoke)
	}
	_, outTypes, hasErr := Split(t)
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		data, err := Encode(args)
		res := invokeRemote(invoke, data, err)
		vals, err := Decode(res.Results, outTypes)
		if err != nil {
			panic(fmt.Errorf("results: %w", err))
		}
		if hasErr {
			e := res.Error()
			vals = append(vals, reflect.ValueOf(&e).Elem())
		}
		return vals
	})
}

// invokeRemote calls invoke with the encoded arguments data (encErr: they
// could not be encoded) for a function of MakeFunc, and panics as MakeFunc
// says when the call fails.
func invokeRemote(invoke func(args []byte) (Result, error), data []byte, encErr error) Result {
	if encErr != nil {
		panic(fmt.Errorf("arguments: %w", encErr))
	}
	res, err := invoke(data)
	switch {
	case err != nil:
		panic(&CallError{Err: err})
	case res.Panicked != "":
		panic(&RemotePanic{Value: res.Panicked})
	}
	return res
}

// RemoteFunc is the Go type of a process plugin's helpers and untyped hook
// handlers as other code gets them: the arguments go as JSON, the results
// come back as JSON (an error result as the error).
type RemoteFunc func(args ...any) ([]json.RawMessage, error)

// ErrNoFunc is returned for a call of a function that does not exist.
var ErrNoFunc = errors.New("no such function")

// InjectArgs is what the host sends on injection.
type InjectArgs struct {
	Identifier string `json:"identifier"`
	Info       struct {
		Identifier string `json:"key"`
		Name       string `json:"name"`
		Version    string `json:"version"`
		Bundled    bool   `json:"bundled"`
		Origin     string `json:"origin"`
		Tier       string `json:"tier"`
	} `json:"info"`
	BaseFolder string   `json:"base_folder"`
	DataFolder string   `json:"data_folder"`
	Injected   []string `json:"injected"` // names of the host's injectables
}

// Request is what crosses of an HTTP request (an *http.Request argument).
type Request struct {
	Method     string              `json:"method"`
	URL        string              `json:"url"`
	Header     map[string][]string `json:"header"`
	RemoteAddr string              `json:"remote_addr"`
	Body       []byte              `json:"body,omitempty"`
}

// MaxRequestBody bounds the body of a request that crosses.
const MaxRequestBody = 16 << 20

// RequestWithBody returns what crosses of r, its body read (and given
// back to r, so that r can still be read).
func RequestWithBody(r *http.Request) (Request, error) {
	q := Request{Method: r.Method, URL: r.URL.String(), Header: r.Header, RemoteAddr: r.RemoteAddr}
	if r.Body == nil || r.Body == http.NoBody {
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return q, fmt.Errorf("read the request body: %w", err)
	}
	if len(body) > MaxRequestBody {
		return q, fmt.Errorf("request body over %d bytes", MaxRequestBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	q.Body = body
	return q, nil
}

// HTTP rebuilds the request on the other side.
func (q Request) HTTP() *http.Request {
	r, err := http.NewRequest(q.Method, q.URL, bytes.NewReader(q.Body))
	if err != nil {
		r, _ = http.NewRequest(http.MethodGet, "/", nil)
	}
	r.Header = q.Header
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.RemoteAddr = q.RemoteAddr
	return r
}
