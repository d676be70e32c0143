//go:build !linux

package transport

import (
	"errors"
	"io"
	"net"
	"time"
)

// Shared channels are only made on Linux: elsewhere every call goes over
// the socket as frames.

type region struct{}

func (*region) giveUp() {}
func (*region) unmap()  {}

func sharedSupported() bool { return false }

func offerShared(net.Conn) (*region, error) {
	return nil, errors.New("shared channel: not on this system")
}

func readHead(c net.Conn, head *[4]byte) (*region, error) {
	_, err := io.ReadFull(c, head[:])
	return nil, err
}

func callShared(net.Conn, io.Reader, *region, Message, Message, time.Time) error {
	return errors.New("shared channel: not on this system")
}

func serveShared(net.Conn, *region, func() Message, func(Message) Message) {}

const serverNap = 0
