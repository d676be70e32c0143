package repository

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// The lists are written by others (OctoPrint's repository, a Tentacle
// repository, someone's hand-made mirror) and read by a program that must
// not lose what it does not understand. So every object here is decoded
// leniently and re-encoded faithfully:
//
//   - a key this package does not know is kept, verbatim, in the object's
//     Extra and written back after the known ones;
//   - a known key whose value has the wrong type (a string where a list
//     was expected, say) is read as absent and kept verbatim in Extra
//     too, so re-encoding writes the value that came, not a zero;
//   - json.RawMessage values (Extra, an entry's github and stats) are kept
//     compact and HTML-escaped, as encoding/json writes them, so that
//     decoding what was encoded gives the same bytes back.

// decodeObject decodes the JSON object data into the struct v points to
// (a type without UnmarshalJSON), key by key, after setting it to its zero
// value; the keys it could not put into a field go to its field Extra.
// JSON null decodes to the zero value, as encoding/json does; any other
// JSON value that is not an object is an error.
func decodeObject(data []byte, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rv.SetZero()
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	fields := fieldsOf(rv.Type())
	var extra map[string]json.RawMessage
	for k, raw := range m {
		if i, ok := fields[k]; ok {
			f := rv.Field(i)
			p := reflect.New(f.Type())
			if err := json.Unmarshal(raw, p.Interface()); err == nil {
				if rm, isRaw := p.Interface().(*json.RawMessage); isRaw {
					*rm = canonical(*rm)
				}
				f.Set(p.Elem())
				continue
			}
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = canonical(raw)
	}
	rv.FieldByName("Extra").Set(reflect.ValueOf(extra))
	return nil
}

// encodeObject encodes the struct v (a type without MarshalJSON) and
// merges extra into the object: a key that v also wrote takes extra's
// value in v's place, the others follow, sorted.
func encodeObject(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	write := func(k string, val []byte) {
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		kb, _ := json.Marshal(k) // a string always encodes
		out.Write(kb)
		out.WriteByte(':')
		out.Write(val)
	}
	used := make(map[string]bool, len(extra))
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if x, ok := extra[k]; ok {
			if !json.Valid(x) {
				return nil, fmt.Errorf("extra field %q is not valid JSON", k)
			}
			write(k, x)
			used[k] = true
			continue
		}
		write(k, raw)
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !json.Valid(extra[k]) {
			return nil, fmt.Errorf("extra field %q is not valid JSON", k)
		}
		write(k, extra[k])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// canonical returns raw, valid JSON, compacted and HTML-escaped as
// encoding/json writes a json.RawMessage.
func canonical(raw []byte) json.RawMessage {
	var c bytes.Buffer
	if err := json.Compact(&c, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	var e bytes.Buffer
	json.HTMLEscape(&e, c.Bytes())
	return e.Bytes()
}

var fieldCache sync.Map // reflect.Type → map[string]int

// fieldsOf maps the JSON names of struct type t's exported fields to their
// indexes.
func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}

// cloneRaw copies a map of raw values.
func cloneRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
