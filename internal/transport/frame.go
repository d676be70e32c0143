package transport

import (
	"encoding/binary"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
)

// MaxFrame bounds a frame of a direct call: a larger one is refused rather
// than read.
const MaxFrame = 64 << 20

// WriteFrame writes m as one frame of a direct call: its length as 4 bytes,
// big-endian, then the message, in one write.
func WriteFrame(w io.Writer, m proto.Message) error {
	buf := make([]byte, 4, 4+proto.Size(m))
	buf, err := proto.MarshalOptions{}.MarshalAppend(buf, m)
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

// ReadFrame reads one frame of a direct call into m.
func ReadFrame(r io.Reader, m proto.Message) error {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	return readFrameBody(r, head, m)
}

// readFrameBody reads the rest of a frame whose header is head into m.
func readFrameBody(r io.Reader, head [4]byte, m proto.Message) error {
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
	return proto.Unmarshal(buf, m)
}
