// Package gcodec is the process wire's codec of the G-code hooks'
// handlers ([server.GcodeHook]): their phase and command in, the commands
// out, written and read by hand instead of as JSON arrays (see
// [wire.Codec]). Importing it registers the codec; the process tier and
// the SDK both do, and use it for a call only when the other side
// announced it.
//
// The form: a version byte, then for the arguments the phase and the
// command, for the results 0 for nil or the number of commands plus one
// and the commands. A command is its Line, Type, Gcode and Subcode, the
// number of its tags and the tags; each text is its length (a uvarint)
// and its bytes. Texts cross byte for byte, where JSON would replace
// bytes that are not UTF-8.
package gcodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"

	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/server"
)

// Name is the codec's name on the wire.
const Name = "gcode/1"

const version = 1

var hookType = reflect.TypeFor[server.GcodeHook]()

func init() {
	wire.RegisterCodec(&wire.Codec{Name: Name, Type: hookType, MakeFunc: makeFunc, EncodeArgs: encodeArgs, Call: call})
}

// errShort is the failure to read a message that ends too soon.
var errShort = errors.New(Name + ": message ends too soon")

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendCommand(b []byte, c *server.Command) []byte {
	b = appendText(b, c.Line)
	b = appendText(b, c.Type)
	b = appendText(b, c.Gcode)
	b = appendText(b, c.Subcode)
	b = binary.AppendUvarint(b, uint64(len(c.Tags)))
	for _, t := range c.Tags {
		b = appendText(b, t)
	}
	return b
}

// commandSize is about what appendCommand appends.
func commandSize(c *server.Command) int {
	n := len(c.Line) + len(c.Type) + len(c.Gcode) + len(c.Subcode) + 8
	for _, t := range c.Tags {
		n += len(t) + 1
	}
	return n
}

// AppendArgs appends the arguments of a call to b.
func AppendArgs(b []byte, phase string, cmd server.Command) []byte {
	b = append(b, version)
	b = appendText(b, phase)
	return appendCommand(b, &cmd)
}

// AppendResults appends a handler's results to b.
func AppendResults(b []byte, res []server.Command) []byte {
	b = append(b, version)
	if res == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(res))+1)
	for i := range res {
		b = appendCommand(b, &res[i])
	}
	return b
}

// reader reads a message; its texts are substrings of one string of the
// whole message.
type reader struct {
	s   string
	off int
	err error
}

func newReader(data []byte) (*reader, error) {
	if len(data) == 0 || data[0] != version {
		return nil, fmt.Errorf("%s: not a message of this version", Name)
	}
	return &reader{s: string(data), off: 1}, nil
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for {
		if r.off >= len(r.s) || shift > 63 {
			r.err = errShort
			return 0
		}
		c := r.s[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
		shift += 7
	}
}

func (r *reader) text() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)-r.off) {
		r.err = errShort
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *reader) command() server.Command {
	c := server.Command{Line: r.text(), Type: r.text(), Gcode: r.text(), Subcode: r.text()}
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return c
	}
	if n > uint64(len(r.s)-r.off) { // each tag takes a byte at least
		r.err = errShort
		return c
	}
	c.Tags = make([]string, n)
	for i := range c.Tags {
		c.Tags[i] = r.text()
	}
	return c
}

// done returns the reader's failure, or one for bytes left over.
func (r *reader) done() error {
	if r.err == nil && r.off != len(r.s) {
		r.err = fmt.Errorf("%s: %d bytes left over", Name, len(r.s)-r.off)
	}
	return r.err
}

// DecodeArgs reads the arguments of a call.
func DecodeArgs(data []byte) (phase string, cmd server.Command, err error) {
	r, err := newReader(data)
	if err != nil {
		return "", cmd, err
	}
	phase = r.text()
	cmd = r.command()
	return phase, cmd, r.done()
}

// DecodeResults reads a handler's results.
func DecodeResults(data []byte) ([]server.Command, error) {
	if len(data) == 2 && data[0] == version && data[1] == 0 {
		return nil, nil // the common answer: no change, read without a copy
	}
	r, err := newReader(data)
	if err != nil {
		return nil, err
	}
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return nil, r.done()
	}
	if n-1 > uint64(len(r.s)-r.off) {
		return nil, errShort
	}
	out := make([]server.Command, n-1)
	for i := range out {
		out[i] = r.command()
	}
	return out, r.done()
}

func makeFunc(invoke func(args []byte) (wire.Result, error)) reflect.Value {
	return reflect.ValueOf(server.GcodeHook(func(phase string, cmd server.Command) []server.Command {
		data := AppendArgs(make([]byte, 0, 1+len(phase)+1+commandSize(&cmd)), phase, cmd)
		res := wire.Invoke(invoke, data, nil)
		out, err := DecodeResults(res.Results)
		if err != nil {
			panic(fmt.Errorf("results: %w", err))
		}
		return out
	}))
}

func encodeArgs(args []any) ([]byte, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s: %d arguments, want 2", Name, len(args))
	}
	phase, ok1 := args[0].(string)
	cmd, ok2 := args[1].(server.Command)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s: arguments %T, %T, want string, server.Command", Name, args[0], args[1])
	}
	return AppendArgs(make([]byte, 0, 1+len(phase)+1+commandSize(&cmd)), phase, cmd), nil
}

func call(fn reflect.Value, args []byte, results bool) (res wire.Result, err error) {
	phase, cmd, err := DecodeArgs(args)
	if err != nil {
		return res, fmt.Errorf("arguments: %w", err)
	}
	f, ok := fn.Interface().(server.GcodeHook)
	if !ok {
		f = fn.Convert(hookType).Interface().(server.GcodeHook)
	}
	var out []server.Command
	func() {
		defer func() {
			if r := recover(); r != nil {
				res.Panicked = fmt.Sprint(r)
			}
		}()
		out = f(phase, cmd)
	}()
	if res.Panicked != "" || !results {
		return res, nil
	}
	if out == nil {
		res.Results = unchanged // read only
		return res, nil
	}
	res.Results = AppendResults(make([]byte, 0, 2+len(out)*32), out)
	return res, nil
}

// unchanged is the results of a handler that returned nil, the common
// answer.
var unchanged = []byte{version, 0}
