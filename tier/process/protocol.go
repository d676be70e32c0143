package process

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/tentacle-go/tentacle/internal/lean"
)

// The protocols a plugin executable speaks: the lean one (the SDK's
// default build holds lean.Marker), else the earlier one, go-plugin with
// gRPC, which executables built with earlier SDKs speak.
const (
	protocolLean = "lean/1"
	protocolGRPC = "grpc"
)

// marker is lean.Marker, once.
var marker = lean.Marker()

// scanSHA256 reads r to its end and returns its SHA-256 and the protocol
// it speaks, found in the same read: the lean one when it holds the
// marker.
func scanSHA256(r io.Reader) (sum, protocol string, err error) {
	h := sha256.New()
	s := &markerScan{}
	if _, err := io.Copy(io.MultiWriter(h, s), r); err != nil {
		return "", "", err
	}
	protocol = protocolGRPC
	if s.found {
		protocol = protocolLean
	}
	return hex.EncodeToString(h.Sum(nil)), protocol, nil
}

// markerScan looks for the marker in what is written to it, across the
// writes' boundaries.
type markerScan struct {
	found bool
	tail  []byte // the last len(marker)-1 bytes written
}

func (s *markerScan) Write(p []byte) (int, error) {
	if s.found {
		return len(p), nil
	}
	// A marker across the boundary: the tail and the start of p.
	head := p[:min(len(p), len(marker)-1)]
	joined := append(append([]byte(nil), s.tail...), head...)
	if bytes.Contains(joined, marker) || bytes.Contains(p, marker) {
		s.found = true
		return len(p), nil
	}
	keep := len(marker) - 1
	if len(p) >= keep {
		s.tail = append(s.tail[:0], p[len(p)-keep:]...)
		return len(p), nil
	}
	joined = append(s.tail, p...)
	s.tail = append(s.tail[:0:0], joined[max(0, len(joined)-keep):]...)
	return len(p), nil
}
