package sdk

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle/tier/process/pluginpb"
	"github.com/tentacle-go/tentacle/tier/process/wire"
)

// DirectCallsEnv, set to "off" in a plugin's environment, keeps it from
// offering direct calls: every call then goes over gRPC (for debugging and
// for the tests of that path).
const DirectCallsEnv = "TENTACLE_PLUGIN_DIRECT_CALLS"

// directCalls serves the plugin's calls on a unix socket in a temporary
// folder only this user can enter: the host's fast path for hook handlers
// and helpers (see pluginpb.Description.direct_calls). Each connection
// carries one call at a time.
type directCalls struct {
	dir  string
	ln   net.Listener
	once sync.Once
}

// listenDirect starts serving s's calls directly, or returns nil when it
// cannot (the host then calls over gRPC alone).
func listenDirect(s *server) *directCalls {
	if os.Getenv(DirectCallsEnv) == "off" {
		return nil
	}
	dir, err := os.MkdirTemp("", "tentacle-plugin-") // mode 0700
	if err != nil {
		newLogger().Warn("no direct calls: every call goes over gRPC", "error", err)
		return nil
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "calls"))
	if err != nil {
		_ = os.RemoveAll(dir)
		newLogger().Warn("no direct calls: every call goes over gRPC", "error", err)
		return nil
	}
	d := &directCalls{dir: dir, ln: ln}
	go d.accept(s)
	return d
}

// addr is where the host connects; "" for none.
func (d *directCalls) addr() string {
	if d == nil {
		return ""
	}
	return d.ln.Addr().String()
}

func (d *directCalls) accept(s *server) {
	for {
		conn, err := d.ln.Accept()
		if err != nil {
			return // closed
		}
		go serveConn(s, conn)
	}
}

// serveConn answers the calls of one connection until the host closes it
// (or gives up on a call that overran its deadline).
func serveConn(s *server, conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		var req pluginpb.CallRequest
		if err := wire.ReadFrame(r, &req); err != nil {
			return
		}
		resp, err := s.Call(context.Background(), &req)
		if err != nil {
			resp = &pluginpb.CallResponse{Failure: err.Error()}
		}
		if err := wire.WriteFrame(conn, resp); err != nil {
			return
		}
	}
}

// close stops listening and removes the socket's folder.
func (d *directCalls) close() {
	if d == nil {
		return
	}
	d.once.Do(func() {
		_ = d.ln.Close()
		_ = os.RemoveAll(d.dir)
	})
}
