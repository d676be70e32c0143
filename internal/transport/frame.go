package transport

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Message is what a frame carries: a message that appends its encoding
// to a buffer and reads itself back from one. The host wraps its protobuf
// messages (internal/protomsg); a plugin's SDK has messages of its own
// that encode the same bytes without protobuf's runtime
// (internal/lean).
type Message interface {
	// MarshalAppend appends the message's encoding to b.
	MarshalAppend(b []byte) ([]byte, error)
	// Unmarshal reads the message from b, replacing what it held.
	Unmarshal(b []byte) error
}

// MaxFrame bounds a frame of a direct call: a larger one is refused rather
// than read.
const MaxFrame = 64 << 20

// WriteFrame writes m as one frame of a direct call: its length as 4 bytes,
// big-endian, then the message, in one write.
func WriteFrame(w io.Writer, m Message) error {
	buf, err := m.MarshalAppend(make([]byte, 4, 256))
	if err != nil {
		return err
	}
	n := len(buf) - 4
	if n > MaxFrame {
		return fmt.Errorf("frame of %d bytes, more than %d", n, MaxFrame)
	}
	binary.BigEndian.PutUint32(buf, uint32(n))
	_, err = w.Write(buf)
	return err
}

// writeEncoded writes an encoded message as one frame.
func writeEncoded(w io.Writer, body []byte) error {
	if len(body) > MaxFrame {
		return fmt.Errorf("frame of %d bytes, more than %d", len(body), MaxFrame)
	}
	buf := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	_, err := w.Write(append(buf, body...))
	return err
}

// ReadFrame reads one frame of a direct call into m.
func ReadFrame(r io.Reader, m Message) error {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	return readFrameBody(r, head, m)
}

// readFrameBody reads the rest of a frame whose header is head into m.
func readFrameBody(r io.Reader, head [4]byte, m Message) error {
	n := binary.BigEndian.Uint32(head[:])
	if n > MaxFrame {
		return fmt.Errorf("frame of %d bytes, more than %d", n, MaxFrame)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return m.Unmarshal(buf)
}
