package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// checkTree fails t unless every value of the user layer m is one the
// store takes, walking it as Open's dropInvalid does: maps are entered,
// other values checked whole.
func checkTree(t *testing.T, m map[string]any) {
	t.Helper()
	var walk func(m map[string]any, keys []string)
	walk = func(m map[string]any, keys []string) {
		for k, v := range m {
			ks := append(keys[:len(keys):len(keys)], k)
			if reason := badString(k); reason != "" {
				t.Fatalf("key %q kept: %s", k, reason)
			}
			if sub, ok := v.(map[string]any); ok && len(ks) <= MaxDepth {
				walk(sub, ks)
				continue
			}
			if err := check(v, joinPath(ks), len(ks)); err != nil {
				t.Fatalf("kept a value the store refuses: %v", err)
			}
		}
	}
	walk(m, nil)
}

// roundTrip writes m as Save does, reads it back, and fails t unless it
// reads back equal, with nothing ignored, and writes the same bytes again.
func roundTrip(t *testing.T, m map[string]any) {
	t.Helper()
	out, err := marshalConfig(m)
	if err != nil {
		t.Fatalf("marshal %#v: %v", m, err)
	}
	back, ignored, perr := parseConfig("config.yaml", out)
	if perr != nil {
		t.Fatalf("what Save writes does not parse: %v\n%s", perr, out)
	}
	if len(ignored) > 0 {
		t.Fatalf("what Save writes has values Open leaves out: %+v\n%s", ignored, out)
	}
	if !equalValues(m, back) {
		t.Fatalf("round trip changed the values:\n%#v\n%s\n%#v", m, out, back)
	}
	again, err := marshalConfig(back)
	if err != nil || !bytes.Equal(out, again) {
		t.Fatalf("second write differs (%v):\n%s\n---\n%s", err, out, again)
	}
	if _, err := json.Marshal(m); err != nil {
		t.Fatalf("the values cannot be answered as JSON: %v", err)
	}
}

// The fuzz targets of the package run over their corpus in
// testdata/fuzz/<name> with go test; to search for new inputs, run one with
// go test -run XXX -fuzz FuzzParseConfig -fuzztime 60s ./settings.

// FuzzParseConfig reads arbitrary bytes as config.yaml: never a panic; a
// file that does not parse is a *ParseError with a message; a file that
// parses keeps only values the store takes (the others are reported, with
// a reason), and those survive a save and a new read unchanged.
func FuzzParseConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ignored, perr := parseConfig("config.yaml", data)
		if perr != nil {
			if perr.Err == nil || perr.Error() == "" || perr.Line < 0 {
				t.Fatalf("bad ParseError %#v", perr)
			}
			if m != nil || ignored != nil {
				t.Fatal("a file that does not parse has values")
			}
			return
		}
		for _, iv := range ignored {
			if iv.Reason == "" || iv.Line < 0 {
				t.Fatalf("bad ignored value %+v", iv)
			}
			if !errors.Is(&iv, ErrInvalidValue) {
				t.Fatal("an ignored value is not an ErrInvalidValue")
			}
		}
		checkTree(t, m)
		roundTrip(t, m)
	})
}

// FuzzSetValue stores arbitrary values (YAML documents, so that NaN,
// infinities, huge integers, binary strings, non-string keys and deep
// nesting are all reachable, and an arbitrary string as a value and as a
// key): Set either refuses the value with an ErrInvalidValue, storing
// nothing, or stores it so that it reads back equal, the file Save writes
// parses back to the same values, and JSON can answer it.
func FuzzSetValue(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		var value any
		if err := yaml.Unmarshal(data, &value); err != nil {
			value = string(data)
		}
		for i, v := range []any{value, s, map[string]any{s: value}, []any{s, value}} {
			st := New(map[string]any{"plugins": map[string]any{"p": map[string]any{"d": 1}}})
			path := "plugins.p.v"
			err := st.Set(path, v)
			if err != nil {
				if !errors.Is(err, ErrInvalidValue) {
					t.Fatalf("value %d: Set error %v is not an ErrInvalidValue", i, err)
				}
				var ie *InvalidValueError
				if !errors.As(err, &ie) || !strings.HasPrefix(ie.Path, path) || ie.Reason == "" {
					t.Fatalf("value %d: error %v does not name a path under %s", i, err, path)
				}
				if st.Dirty() || len(st.UserData()) != 0 {
					t.Fatalf("value %d: a refused Set changed the store", i)
				}
				if Validate(path, v) == nil {
					t.Fatalf("value %d: Validate takes what Set refuses", i)
				}
				continue
			}
			if err := Validate(path, v); err != nil {
				t.Fatalf("value %d: Validate refuses what Set took: %v", i, err)
			}
			want, _ := normalize(v, path, strict)
			if got := st.Get(path); !equalValues(got, want) {
				t.Fatalf("value %d reads back %#v, want %#v", i, got, want)
			}
			checkTree(t, st.UserData())
			roundTrip(t, st.UserData())
		}
	})
}
