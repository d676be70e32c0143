package lean_test

import (
	"reflect"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
)

// pairs are each message of the protocol as pluginpb generates it and as
// this package has it.
var pairs = []struct {
	pb   proto.Message
	lean interface {
		MarshalAppend([]byte) ([]byte, error)
		Unmarshal([]byte) error
	}
}{
	{&pluginpb.Hello{}, &lean.Hello{}},
	{&pluginpb.DescribeRequest{}, &lean.DescribeRequest{}},
	{&pluginpb.Description{}, &lean.Description{}},
	{&pluginpb.CallRequest{}, &lean.CallRequest{}},
	{&pluginpb.CallResponse{}, &lean.CallResponse{}},
	{&pluginpb.BatchedCall{}, &lean.BatchedCall{}},
	{&pluginpb.BatchFailure{}, &lean.BatchFailure{}},
	{&pluginpb.HTTPRequest{}, &lean.HTTPRequest{}},
	{&pluginpb.HTTPResponse{}, &lean.HTTPResponse{}},
	{&pluginpb.FileRequest{}, &lean.FileRequest{}},
	{&pluginpb.FileResponse{}, &lean.FileResponse{}},
	{&pluginpb.SettingsRequest{}, &lean.SettingsRequest{}},
	{&pluginpb.SettingsResponse{}, &lean.SettingsResponse{}},
	{&pluginpb.ManagerRequest{}, &lean.ManagerRequest{}},
	{&pluginpb.ManagerResponse{}, &lean.ManagerResponse{}},
	{&pluginpb.HelperRequest{}, &lean.HelperRequest{}},
	{&pluginpb.InvokeRequest{}, &lean.InvokeRequest{}},
	{&pluginpb.InvokeResponse{}, &lean.InvokeResponse{}},
	{&pluginpb.HostCall{}, &lean.HostCall{}},
	{&pluginpb.HostReply{}, &lean.HostReply{}},
}

// fill sets every field of m (every member of a oneof in turn: the last
// one set stays, so fill is called once per member) to a value that is
// not its zero, nested messages included, to depth levels.
func fill(m protoreflect.Message, seed int, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() && o.Fields().Get(seed%o.Fields().Len()) != fd {
			continue
		}
		v := seed + i + 1
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for j := range 2 {
				l.Append(value(l.NewElement(), fd, v+j, depth))
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth > 0 {
				m.Set(fd, value(m.NewField(fd), fd, v, depth))
			}
		default:
			m.Set(fd, value(protoreflect.Value{}, fd, v, depth))
		}
	}
}

func value(empty protoreflect.Value, fd protoreflect.FieldDescriptor, v, depth int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("s" + string(rune('a'+v%26)))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{byte(v), 0, 1})
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(-v)) // negative: sign-extended
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(v) << 40)
	case protoreflect.Uint32Kind:
		return protoreflect.ValueOfUint32(uint32(v) << 20)
	case protoreflect.Uint64Kind:
		return protoreflect.ValueOfUint64(uint64(v) << 50)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1 + v%8))
	case protoreflect.MessageKind:
		fill(empty.Message(), v, depth-1)
		return empty
	}
	panic("kind " + fd.Kind().String())
}

// TestWireCompatible: every message, every field set, reads back the same
// through this package: decoded here from protobuf's encoding, encoded
// again here, and decoded by protobuf. A field this package lacks or
// numbers otherwise comes back missing.
func TestWireCompatible(t *testing.T) {
	for _, p := range pairs {
		for seed := range 5 {
			want := p.pb.ProtoReflect().New()
			fill(want, seed, 3)
			b, err := proto.Marshal(want.Interface())
			if err != nil {
				t.Fatal(err)
			}
			l := reflect.New(reflect.TypeOf(p.lean).Elem()).Interface().(interface {
				MarshalAppend([]byte) ([]byte, error)
				Unmarshal([]byte) error
			})
			if err := l.Unmarshal(b); err != nil {
				t.Fatalf("%T: unmarshal: %v", p.lean, err)
			}
			back, _ := l.MarshalAppend(nil)
			got := p.pb.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(back, got); err != nil {
				t.Fatalf("%T: protobuf reads it back: %v", p.lean, err)
			}
			if !proto.Equal(got, want.Interface()) {
				t.Errorf("%T seed %d:\n got %v\nwant %v", p.lean, seed, got, want.Interface())
			}
		}
	}
}

// TestUnmarshalBad: a message cut short is an error, never a panic; an
// unknown field (of a later version) is skipped.
func TestUnmarshalBad(t *testing.T) {
	full, _ := proto.Marshal(&pluginpb.CallRequest{Kind: pluginpb.CallRequest_HOOK, Target: "hook", ArgsJson: []byte("[1]")})
	for i := 1; i < len(full); i++ {
		var m lean.CallRequest
		_ = m.Unmarshal(full[:i]) // must not panic
	}
	var m lean.CallRequest
	if err := m.Unmarshal(full[:len(full)-1]); err == nil {
		t.Error("cut short: no error")
	}
	later := append([]byte{0xf8, 0x07, 0x05}, full...) // field 127, a varint
	if err := m.Unmarshal(later); err != nil || m.Target != "hook" || m.Kind != lean.CallRequest_HOOK {
		t.Errorf("with an unknown field: %+v, %v", m, err)
	}
}

// TestNegotiate: both sides speak the lower of their versions; a Hello of
// another protocol, or of version 0, is refused.
func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		version  uint32
		want     uint32
		ok       bool
	}{
		{lean.Protocol, 1, 1, true},
		{lean.Protocol, 7, lean.Version, true},
		{lean.Protocol, 0, 0, false},
		{"go-plugin", 1, 0, false},
		{"", 1, 0, false},
	} {
		got, err := lean.Negotiate(tc.protocol, tc.version)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Negotiate(%q, %d) = %d, %v; want %d, ok %v", tc.protocol, tc.version, got, err, tc.want, tc.ok)
		}
	}
}

// TestKindsAsPluginpb: each kind of call has pluginpb's number and name
// (the bytes cross as numbers; a kind out of step would be another call).
func TestKindsAsPluginpb(t *testing.T) {
	for num, name := range pluginpb.CallRequest_Kind_name {
		if got := lean.CallRequest_Kind(num).String(); got != name {
			t.Errorf("kind %d is %s here, %s in pluginpb", num, got, name)
		}
	}
	if got := lean.CallRequest_Kind(len(pluginpb.CallRequest_Kind_name)).String(); got != strconv.Itoa(len(pluginpb.CallRequest_Kind_name)) {
		t.Errorf("kind %d beyond pluginpb's is named %s here", len(pluginpb.CallRequest_Kind_name), got)
	}
}
