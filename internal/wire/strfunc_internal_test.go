package wire

import (
	"encoding/json"
	"reflect"
	"testing"
)

type lineFunc func(string) string

// TestTextCodec: func(string) string's own path writes and reads exactly
// what Encode and Decode do, for plain texts (by hand) and any other (by
// encoding/json).
func TestTextCodec(t *testing.T) {
	texts := []string{
		"", "G1 X10.5 Y20.25", "ok T:210.0 /210.0", `M117 "quoted"`, `back\slash`,
		"tab\there", "ünïcode", "<html>&", "\xff invalid", "line\n",
	}
	for _, s := range texts {
		got, err := encodeText(s)
		if err != nil {
			t.Fatalf("encodeText(%q): %v", s, err)
		}
		want, err := Encode([]reflect.Value{reflect.ValueOf(s)})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("encodeText(%q) = %s, Encode: %s", s, got, want)
		}
		back, err := decodeText(got)
		vals, derr := Decode(got, []reflect.Type{stringType})
		if err != nil || derr != nil || back != vals[0].String() {
			t.Errorf("decodeText(%s) = %q, %v; Decode: %q, %v", got, back, err, vals[0].String(), derr)
		}
	}
	for _, bad := range []string{`["a","b"]`, `[1]`, `"a"`, `["a"`} {
		if s, err := decodeText([]byte(bad)); err == nil {
			t.Errorf("decodeText(%s) = %q, want an error", bad, s)
		}
	}
	if s, err := decodeText([]byte(`[null]`)); err != nil || s != "" {
		t.Errorf("decodeText([null]) = %q, %v; want the empty text", s, err)
	}
}

// TestStringFuncRoundTrip: a func(string) string (named or not) made by
// MakeFunc calls through Call as the general path would: its result, a
// panic of the remote code, a failure of the call.
func TestStringFuncRoundTrip(t *testing.T) {
	remote := func(s string) string {
		if s == "boom" {
			panic("exploded")
		}
		return s + "!"
	}
	invoke := func(args []byte) (Result, error) { return Call(reflect.ValueOf(lineFunc(remote)), args, nil) }
	for _, typ := range []reflect.Type{reflect.TypeFor[lineFunc](), stringFuncType} {
		if !isStringFunc(typ) {
			t.Fatalf("%s is not taken for func(string) string", typ)
		}
		f := MakeFunc(typ, invoke)
		if f.Type() != typ {
			t.Fatalf("MakeFunc(%s) made a %s", typ, f.Type())
		}
		for _, in := range []string{"G1 X1", `say "hi"`, "ü"} {
			if got := f.Call([]reflect.Value{reflect.ValueOf(in)})[0].String(); got != in+"!" {
				t.Errorf("%s(%q) = %q, want %q", typ, in, got, in+"!")
			}
		}
		func() {
			defer func() {
				if p, ok := recover().(*RemotePanic); !ok || p.Value != "exploded" {
					t.Errorf("a remote panic: recovered %v, want a *RemotePanic", p)
				}
			}()
			f.Call([]reflect.Value{reflect.ValueOf("boom")})
		}()
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[func(string) (string, error)](), reflect.TypeFor[func(string)](), reflect.TypeFor[func(int) string]()} {
		if isStringFunc(typ) {
			t.Errorf("%s taken for func(string) string", typ)
		}
	}
}

// TestEncodeArgs: a RemoteFunc's arguments as encoding/json writes them,
// numbers marked, whichever path they take.
func TestEncodeArgs(t *testing.T) {
	for _, args := range [][]any{{"G1 X1"}, {`a "b"`}, {"x", 2}, {5.0}, {}, {nil}} {
		got, err := EncodeArgs(args)
		if err != nil {
			t.Fatalf("EncodeArgs(%v): %v", args, err)
		}
		want, _ := json.Marshal(FloatsMarked(args))
		if string(got) != string(want) {
			t.Errorf("EncodeArgs(%v) = %s, want %s", args, got, want)
		}
	}
}

// TestRawOneText: a result of one text splits into the same raw values
// whichever path it takes.
func TestRawOneText(t *testing.T) {
	for _, data := range []string{`["G1 X1"]`, `["a\"b"]`, `["ü"]`, `[""]`, `["a","b"]`, `[1,"x"]`, `[]`} {
		got, err := Result{Results: []byte(data)}.Raw()
		var want []json.RawMessage
		werr := json.Unmarshal([]byte(data), &want)
		if err != nil || werr != nil || len(got) != len(want) {
			t.Fatalf("Raw(%s) = %q, %v; want %q, %v", data, got, err, want, werr)
		}
		for i := range want {
			if string(got[i]) != string(want[i]) {
				t.Errorf("Raw(%s)[%d] = %s, want %s", data, i, got[i], want[i])
			}
		}
	}
}
