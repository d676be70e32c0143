// Package protomsg carries protobuf messages as frames of direct calls
// (transport.Message): the host's side of the process protocol, whose
// messages are the generated ones of internal/pluginpb.
package protomsg

import (
	"google.golang.org/protobuf/proto"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// Msg is a protobuf message as a transport.Message.
type Msg struct{ proto.Message }

var _ transport.Message = Msg{}

// Of returns m as a transport.Message.
func Of(m proto.Message) Msg { return Msg{m} }

// MarshalAppend implements transport.Message.
func (m Msg) MarshalAppend(b []byte) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(b, m.Message)
}

// Unmarshal implements transport.Message.
func (m Msg) Unmarshal(b []byte) error { return proto.Unmarshal(b, m.Message) }

// The messages of the hot path, as transport.Messages that a conversion of
// the pointer makes (Msg, a struct of two words, would be allocated for
// each call): (*protomsg.CallRequest)(req).

// CallRequest is a pluginpb.CallRequest as a transport.Message.
type CallRequest pluginpb.CallRequest

// CallResponse is a pluginpb.CallResponse as a transport.Message.
type CallResponse pluginpb.CallResponse

// HostCall is a pluginpb.HostCall as a transport.Message.
type HostCall pluginpb.HostCall

// HostReply is a pluginpb.HostReply as a transport.Message.
type HostReply pluginpb.HostReply

func (m *CallRequest) MarshalAppend(b []byte) ([]byte, error) {
	return Of((*pluginpb.CallRequest)(m)).MarshalAppend(b)
}
func (m *CallRequest) Unmarshal(b []byte) error { return Of((*pluginpb.CallRequest)(m)).Unmarshal(b) }

func (m *CallResponse) MarshalAppend(b []byte) ([]byte, error) {
	return Of((*pluginpb.CallResponse)(m)).MarshalAppend(b)
}
func (m *CallResponse) Unmarshal(b []byte) error { return Of((*pluginpb.CallResponse)(m)).Unmarshal(b) }

func (m *HostCall) MarshalAppend(b []byte) ([]byte, error) {
	return Of((*pluginpb.HostCall)(m)).MarshalAppend(b)
}
func (m *HostCall) Unmarshal(b []byte) error { return Of((*pluginpb.HostCall)(m)).Unmarshal(b) }

func (m *HostReply) MarshalAppend(b []byte) ([]byte, error) {
	return Of((*pluginpb.HostReply)(m)).MarshalAppend(b)
}
func (m *HostReply) Unmarshal(b []byte) error { return Of((*pluginpb.HostReply)(m)).Unmarshal(b) }
