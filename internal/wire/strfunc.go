package wire

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// The signature func(string) string (a received line in, the line out;
// the test hooks; most text helpers) crosses on a path of its own, without
// reflection: its argument and result are still the JSON arrays that
// Encode and Decode make (["text"]), so either side meets any version of
// the other, but a text made only of printable ASCII that JSON writes as
// it is (no '"', '\', '<', '>' or '&': a G-code line) is written and read
// by hand. Any other text goes
// through encoding/json.
var stringFuncType = reflect.TypeFor[func(string) string]()

// isStringFunc reports whether t is func(string) string or a named type of
// it.
func isStringFunc(t reflect.Type) bool {
	return t.Kind() == reflect.Func && t.ConvertibleTo(stringFuncType) && stringFuncType.ConvertibleTo(t)
}

// plainText reports whether s is written in JSON as it is, between quotes.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// encodeText returns the JSON array of the one text s, as Encode would.
func encodeText(s string) ([]byte, error) {
	if !plainText(s) {
		return Encode([]reflect.Value{reflect.ValueOf(s)})
	}
	b := make([]byte, 0, len(s)+4)
	b = append(b, '[', '"')
	b = append(b, s...)
	return append(b, '"', ']'), nil
}

// plainTextResult returns the one JSON text of the array data, quotes
// included, when it is written as it is (no escapes); false for any other
// array.
func plainTextResult(data []byte) ([]byte, bool) {
	n := len(data)
	if n < 4 || data[0] != '[' || data[1] != '"' || data[n-2] != '"' || data[n-1] != ']' {
		return nil, false
	}
	inner := data[2 : n-2]
	for _, c := range inner {
		if c < 0x20 || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return data[1 : n-1], utf8.Valid(inner)
}

// decodeText returns the one text of the JSON array data, as Decode
// would.
func decodeText(data []byte) (string, error) {
	if quoted, ok := plainTextResult(data); ok {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	vals, err := Decode(data, []reflect.Type{stringType})
	if err != nil {
		return "", err
	}
	return vals[0].String(), nil
}

var stringType = reflect.TypeFor[string]()

// makeStringFunc is MakeFunc for a type t of isStringFunc.
func makeStringFunc(t reflect.Type, invoke func(args []byte) (Result, error)) reflect.Value {
	return reflect.ValueOf(func(s string) string {
		data, err := encodeText(s)
		res := invokeRemote(invoke, data, err)
		out, err := decodeText(res.Results)
		if err != nil {
			panic(fmt.Errorf("results: %w", err))
		}
		return out
	}).Convert(t)
}

// callStringFunc is Call for a function fn of isStringFunc.
func callStringFunc(fn reflect.Value, args []byte) (res Result, err error) {
	in, err := decodeText(args)
	if err != nil {
		return res, fmt.Errorf("arguments: %w", err)
	}
	f := fn.Convert(stringFuncType).Interface().(func(string) string)
	var out string
	func() {
		defer func() {
			if r := recover(); r != nil {
				res.Panicked = fmt.Sprint(r)
			}
		}()
		out = f(in)
	}()
	if res.Panicked != "" {
		return res, nil
	}
	if res.Results, err = encodeText(out); err != nil {
		return res, fmt.Errorf("results: %w", err)
	}
	return res, nil
}

// EncodeArgs returns the JSON array of a remote function's arguments (a
// RemoteFunc's), numbers marked as FloatsMarked marks them: one plain text
// by hand (see encodeText), any other through encoding/json.
func EncodeArgs(args []any) ([]byte, error) {
	if len(args) == 1 {
		if s, ok := args[0].(string); ok && plainText(s) {
			return encodeText(s)
		}
	}
	return json.Marshal(FloatsMarked(args))
}
