// Package lean is the plugin's side of the lean process protocol (see
// internal/pluginpb/plugin.proto, message Hello): the protocol's messages
// as plain Go types that encode to, and decode from, the very bytes the
// generated protobuf messages do, without protobuf's runtime. A plugin
// executable links this, not protobuf, gRPC or go-plugin, so that it starts
// in a few milliseconds: their package initialisation alone costs a plugin
// process tens of them.
package lean

import (
	"fmt"
	"net"
	"time"

	"github.com/tentacle-go/tentacle/internal/transport"
)

// Protocol is Hello.protocol of the lean protocol.
const Protocol = "tentacle-plugin"

// Version is the highest version of the lean protocol this side speaks.
const Version = 1

// CookieEnv and CookieValue are in the environment of every plugin process
// the host starts, in either protocol: a plugin executable run by hand,
// without them, says what it is instead of waiting for a host.
const (
	CookieEnv   = "TENTACLE_PLUGIN"
	CookieValue = "a2f1e6c0-tentacle-process-plugin"
)

// SocketEnv names, in a plugin process's environment, the unix socket the
// plugin connects to and sends its Hello on. Its calls socket goes in the
// same folder, which the host owns.
const SocketEnv = "TENTACLE_PLUGIN_SOCKET"

// Marker returns the text an executable built with the lean SDK holds:
// the host looks for it while it checks the file's SHA-256, and starts
// an executable that has it with the lean protocol, any other with the
// earlier one (go-plugin). It is put together at run time, so that only
// the SDK's lean build holds it as one piece (sdk/serve.go).
func Marker() []byte {
	parts := []string{"tentacle-plugin-protocol", ": ", "lean/", "1"}
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Negotiate is the version two sides speak, from the other side's Hello;
// an error when it is not the lean protocol.
func Negotiate(protocol string, version uint32) (uint32, error) {
	if protocol != Protocol || version == 0 {
		return 0, fmt.Errorf("not the lean plugin protocol: %q version %d", protocol, version)
	}
	return min(version, Version), nil
}

// Exchange sends hello on conn and reads the other side's into peer, by
// deadline; both are written at once, so it costs one crossing.
func Exchange(conn net.Conn, hello, peer transport.Message, deadline time.Time) error {
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	if err := transport.WriteFrame(conn, hello); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	if err := transport.ReadFrame(conn, peer); err != nil {
		return fmt.Errorf("read hello: %w", err)
	}
	return conn.SetDeadline(time.Time{})
}
