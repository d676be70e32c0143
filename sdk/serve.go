//go:build !tentacle_grpc

package sdk

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// marker tells the host, which looks for it in the executable while it
// checks its SHA-256, that the plugin speaks the lean protocol (see
// lean.Marker, which a test holds it to).
const marker = "tentacle-plugin-protocol: lean/1"

// protocolVersion is pluginpb.Description.protocol.
const protocolVersion = lean.Version

// serve serves s over the lean protocol: it connects to the socket the host
// named (lean.SocketEnv), listens for the host's calls in the same folder,
// exchanges Hellos, answers the host's DescribeRequest and then serves
// calls until the host closes the connection, or is gone.
func serve(s *server, opts Options) {
	sock := os.Getenv(lean.SocketEnv)
	if sock == "" {
		fmt.Fprintf(os.Stderr, "%s is a tentacle plugin that speaks %s: the tentacle host that started it is too old to run it (update tentacle)\n", os.Args[0], marker)
		os.Exit(1)
	}
	slog.SetDefault(newLogger())
	if err := serveLean(s, sock, opts); err != nil {
		newLogger().Error("plugin stopped", "plugin", s.id, "error", err)
		os.Exit(1)
	}
}

func serveLean(s *server, sock string, opts Options) error {
	direct, err := listenDirect(s, filepath.Dir(sock))
	if err != nil {
		return err
	}
	s.direct = direct
	defer direct.close()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return fmt.Errorf("reach the host: %w", err)
	}
	defer conn.Close()
	var hello lean.Hello
	if err := lean.Exchange(conn, &lean.Hello{Protocol: lean.Protocol, Version: lean.Version}, &hello, time.Time{}); err != nil {
		return err
	}
	if _, err := lean.Negotiate(hello.Protocol, hello.Version); err != nil {
		return err
	}
	req := orEmpty(hello.Describe)
	host := newDirectHost(nil, req.DirectHost)
	s.setHost(host)
	// The connection for the plugin's calls into the host is made while the
	// plugin describes itself, and before the host reads the description:
	// the host takes it while it waits for that, not later while it waits
	// for the answer of a call (Initialize) whose code calls it.
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		if d, ok := host.(*directHost); ok {
			_ = d.conns.Prepare() // else the first call dials
		}
	}()
	desc, err := s.describe(req)
	if err != nil {
		desc = &lean.Description{Failure: err.Error()}
	}
	<-prepared
	desc.DirectCalls = direct.addr()
	if err := transport.WriteFrame(conn, desc); err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	go watchParent(os.Getppid(), opts.ParentCheck, direct.close)
	// The host sends nothing more on the connection: it closes it to stop
	// the plugin, and it ends with the host.
	_, _ = io.Copy(io.Discard, conn)
	return nil
}
