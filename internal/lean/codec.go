package lean

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
)

// The messages encode as protobuf's wire format does (proto3: fields at
// their zero value are left out; unknown fields are skipped), led by each
// struct field's tag `pb:"<field number>"`. The field types are those the
// protocol uses: string, []byte, bool, the integers (varints; int32 and
// int64 negative ones sign-extended, as protobuf does), []string, and
// pointers to messages and slices of them. A oneof is pointer fields of
// which one is set.

// Wire types.
const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

type field struct {
	num   uint64
	index int
	kind  reflect.Kind // of the field; of the element for a slice of messages or strings
	slice bool         // a repeated field (not []byte)
	msg   reflect.Type // the message type (a struct) of a message field
}

var plans sync.Map // reflect.Type (a struct) -> []field

func plan(t reflect.Type) []field {
	if p, ok := plans.Load(t); ok {
		return p.([]field)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("pb")
		if tag == "" {
			continue
		}
		n, err := strconv.ParseUint(tag, 10, 32)
		if err != nil {
			panic(fmt.Sprintf("lean: %v.%s: bad pb tag %q", t, sf.Name, tag))
		}
		f := field{num: n, index: i, kind: sf.Type.Kind()}
		ft := sf.Type
		if f.kind == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 {
			f.slice, ft = true, ft.Elem()
			f.kind = ft.Kind()
		}
		if f.kind == reflect.Pointer {
			f.msg = ft.Elem()
		}
		fields = append(fields, f)
	}
	p, _ := plans.LoadOrStore(t, fields)
	return p.([]field)
}

func appendTag(b []byte, num uint64, wt int) []byte {
	return binary.AppendUvarint(b, num<<3|uint64(wt))
}

func appendBytes(b []byte, num uint64, data []byte) []byte {
	b = appendTag(b, num, wireLen)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// marshal appends the encoding of the struct v.
func marshal(b []byte, v reflect.Value) []byte {
	for _, f := range plan(v.Type()) {
		fv := v.Field(f.index)
		if f.slice {
			for i := range fv.Len() {
				b = marshalOne(b, f, fv.Index(i), true)
			}
			continue
		}
		b = marshalOne(b, f, fv, false)
	}
	return b
}

// marshalOne appends one value of field f; always: even a zero value (an
// element of a repeated field).
func marshalOne(b []byte, f field, v reflect.Value, always bool) []byte {
	switch f.kind {
	case reflect.String:
		if s := v.String(); s != "" || always {
			b = appendTag(b, f.num, wireLen)
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	case reflect.Slice: // []byte
		if v.Len() > 0 || always {
			b = appendBytes(b, f.num, v.Bytes())
		}
	case reflect.Bool:
		if v.Bool() {
			b = appendTag(b, f.num, wireVarint)
			b = append(b, 1)
		}
	case reflect.Int32, reflect.Int64, reflect.Int:
		if n := v.Int(); n != 0 {
			b = appendTag(b, f.num, wireVarint)
			b = binary.AppendUvarint(b, uint64(n))
		}
	case reflect.Uint32, reflect.Uint64:
		if n := v.Uint(); n != 0 {
			b = appendTag(b, f.num, wireVarint)
			b = binary.AppendUvarint(b, n)
		}
	case reflect.Pointer:
		if v.IsNil() {
			if always {
				b = appendBytes(b, f.num, nil)
			}
			return b
		}
		// The length goes before the message: encode it, then copy it in
		// after its length.
		inner := marshal(nil, v.Elem())
		b = appendBytes(b, f.num, inner)
	}
	return b
}

var errTruncated = errors.New("lean: message cut short")

func uvarint(b []byte) (uint64, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return 0, nil, errTruncated
	}
	return n, b[k:], nil
}

// unmarshal reads the struct v (its zero value first) from b.
func unmarshal(b []byte, v reflect.Value) error {
	v.SetZero()
	fields := plan(v.Type())
	for len(b) > 0 {
		key, rest, err := uvarint(b)
		if err != nil {
			return err
		}
		b = rest
		num, wt := key>>3, int(key&7)
		var n uint64
		var data []byte
		switch wt {
		case wireVarint:
			if n, b, err = uvarint(b); err != nil {
				return err
			}
		case wireLen:
			if n, b, err = uvarint(b); err != nil {
				return err
			}
			if n > uint64(len(b)) {
				return errTruncated
			}
			data, b = b[:n], b[n:]
		case wireI64, wireI32:
			size := 8
			if wt == wireI32 {
				size = 4
			}
			if len(b) < size {
				return errTruncated
			}
			b = b[size:]
			continue // the protocol has no fixed-size fields: unknown
		default:
			return fmt.Errorf("lean: wire type %d not supported", wt)
		}
		f, ok := find(fields, num)
		if !ok {
			continue // a field of a later version
		}
		if err := setField(v.Field(f.index), f, wt, n, data); err != nil {
			return fmt.Errorf("lean: %v field %d: %w", v.Type(), num, err)
		}
	}
	return nil
}

func find(fields []field, num uint64) (field, bool) {
	for _, f := range fields {
		if f.num == num {
			return f, true
		}
	}
	return field{}, false
}

var errWireType = errors.New("wrong wire type")

func setField(fv reflect.Value, f field, wt int, n uint64, data []byte) error {
	varint := f.kind != reflect.String && f.kind != reflect.Pointer && (f.kind != reflect.Slice || f.slice)
	if varint != (wt == wireVarint) {
		return errWireType
	}
	dst := fv
	if f.slice {
		fv.Set(reflect.Append(fv, reflect.Zero(fv.Type().Elem())))
		dst = fv.Index(fv.Len() - 1)
	}
	switch f.kind {
	case reflect.String:
		dst.SetString(string(data))
	case reflect.Slice:
		dst.SetBytes(append([]byte(nil), data...))
	case reflect.Bool:
		dst.SetBool(n != 0)
	case reflect.Int32, reflect.Int64, reflect.Int:
		dst.SetInt(int64(n))
	case reflect.Uint32, reflect.Uint64:
		dst.SetUint(n)
	case reflect.Pointer:
		m := reflect.New(f.msg)
		if err := unmarshal(data, m.Elem()); err != nil {
			return err
		}
		dst.Set(m)
	}
	return nil
}

// Marshal appends the encoding of the message m (a pointer to one of this
// package's message types) to b.
func Marshal(b []byte, m any) []byte { return marshal(b, reflect.ValueOf(m).Elem()) }

// Unmarshal reads the message m (a pointer) from b.
func Unmarshal(b []byte, m any) error { return unmarshal(b, reflect.ValueOf(m).Elem()) }
