// Package protomsg carries protobuf messages as frames of direct calls
// (transport.Message): the host's side of the process protocol, whose
// messages are the generated ones of internal/pluginpb.
package protomsg

import (
	"google.golang.org/protobuf/proto"

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
