package transport_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// TestFrames: frames read back as written, one after another; a frame
// that says it is too large is refused without being read, and a cut one
// is an unexpected EOF.
func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	reqs := []*pluginpb.CallRequest{
		{Kind: pluginpb.CallRequest_HOOK, Target: "tentacle.comm.protocol.gcode.sending", ArgsJson: []byte(`["G1 X10"]`)},
		{},
		{Kind: pluginpb.CallRequest_HELPER, Target: "x", ArgsJson: bytes.Repeat([]byte("a"), 100000)},
	}
	for _, r := range reqs {
		if err := transport.WriteFrame(&buf, protomsg.Of(r)); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range reqs {
		var got pluginpb.CallRequest
		if err := transport.ReadFrame(&buf, protomsg.Of(&got)); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if got.Kind != want.Kind || got.Target != want.Target || !bytes.Equal(got.ArgsJson, want.ArgsJson) {
			t.Errorf("frame %d: %v, want %v", i, &got, want)
		}
	}
	var got pluginpb.CallRequest
	if err := transport.ReadFrame(&buf, protomsg.Of(&got)); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: %v, want EOF", err)
	}

	var huge [4]byte
	binary.BigEndian.PutUint32(huge[:], transport.MaxFrame+1)
	if err := transport.ReadFrame(bytes.NewReader(huge[:]), protomsg.Of(&got)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a frame too large: %v", err)
	}

	buf.Reset()
	if err := transport.WriteFrame(&buf, protomsg.Of(reqs[0])); err != nil {
		t.Fatal(err)
	}
	cut := buf.Bytes()[:buf.Len()-3]
	if err := transport.ReadFrame(bytes.NewReader(cut), protomsg.Of(&got)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a cut frame: %v, want unexpected EOF", err)
	}
}
