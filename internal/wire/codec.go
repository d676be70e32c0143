package wire

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
)

// Codec carries the arguments and results of one handler type in a form
// of its own instead of JSON arrays, written and read by hand: no
// reflection, few allocations. Package wire knows no codec itself (the
// types they carry belong to packages it does not import): a package that
// does registers one at init with [RegisterCodec], and both sides of the
// process wire import it. A side uses a codec only when the other
// announced its name (pluginpb.Description.features); any other call goes
// as JSON.
type Codec struct {
	// Name names the codec and its version on the wire ("gcode/1").
	Name string
	// Type is the handler type it carries; a named type of the same
	// signature is carried too.
	Type reflect.Type
	// MakeFunc is MakeFunc for Type: the function encodes its arguments,
	// calls invoke with them and decodes the results; a failure panics as
	// MakeFunc's functions do.
	MakeFunc func(invoke func(args []byte) (Result, error)) reflect.Value
	// EncodeArgs encodes arguments given as values of Type's parameter
	// types (a batched call's).
	EncodeArgs func(args []any) ([]byte, error)
	// Call is Call for a function of Type (or a named type of it): it
	// decodes args, calls fn, recovering a panic into Result.Panicked, and
	// encodes the results unless results is false (an observe-only call).
	Call func(fn reflect.Value, args []byte, results bool) (Result, error)
}

var codecs struct {
	sync.RWMutex
	byName map[string]*Codec
}

// RegisterCodec registers c; it panics when a codec of that name or type
// is registered already.
func RegisterCodec(c *Codec) {
	codecs.Lock()
	defer codecs.Unlock()
	if codecs.byName == nil {
		codecs.byName = map[string]*Codec{}
	}
	for _, o := range codecs.byName {
		if o.Name == c.Name || o.Type == c.Type {
			panic(fmt.Sprintf("wire: codec %s registered twice", c.Name))
		}
	}
	codecs.byName[c.Name] = c
}

// CodecNamed returns the codec registered under name, or nil.
func CodecNamed(name string) *Codec {
	codecs.RLock()
	defer codecs.RUnlock()
	return codecs.byName[name]
}

// CodecFor returns the codec that carries handler type t, or nil.
func CodecFor(t reflect.Type) *Codec {
	if t == nil || t.Kind() != reflect.Func {
		return nil
	}
	codecs.RLock()
	defer codecs.RUnlock()
	for _, c := range codecs.byName {
		if t == c.Type || t.ConvertibleTo(c.Type) && c.Type.ConvertibleTo(t) {
			return c
		}
	}
	return nil
}

// CodecNames returns the names of the registered codecs, sorted.
func CodecNames() []string {
	codecs.RLock()
	defer codecs.RUnlock()
	names := make([]string, 0, len(codecs.byName))
	for name := range codecs.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Invoke calls invoke with the encoded arguments data (encErr: they could
// not be encoded) for a function of a Codec's MakeFunc, and panics as
// MakeFunc's functions do when the call fails.
func Invoke(invoke func(args []byte) (Result, error), data []byte, encErr error) Result {
	return invokeRemote(invoke, data, encErr)
}
