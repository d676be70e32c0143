package sdk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// DirectCallsEnv, set to "off" in the environment of a plugin built with
// the earlier protocol (the tentacle_grpc build tag), keeps it from using
// direct calls: every call, the host's into the plugin and the plugin's
// into the host, then goes over gRPC (for debugging and for the tests of
// that path). The lean protocol has direct calls only, and ignores it.
const DirectCallsEnv = "TENTACLE_PLUGIN_DIRECT_CALLS"

// hostClient makes the plugin's calls of the host's services.
type hostClient interface {
	Settings(context.Context, *lean.SettingsRequest) (*lean.SettingsResponse, error)
	Manager(context.Context, *lean.ManagerRequest) (*lean.ManagerResponse, error)
	CallHelper(context.Context, *lean.HelperRequest) (*lean.CallResponse, error)
	Invoke(context.Context, *lean.InvokeRequest) (*lean.InvokeResponse, error)
}

// directCalls serves the plugin's calls on a unix socket that only this
// user can reach: the host's fast path for hook handlers and helpers (see
// pluginpb.Description.direct_calls), its only path in the lean protocol.
// Each connection carries one call at a time. The socket is in the folder
// the host gave the process; a host too old to give one gets it in a folder
// of its own under the temporary folder.
type directCalls struct {
	dir  string // the folder of its own, "" in the host's
	ln   net.Listener
	once sync.Once
}

// listenDirect starts serving s's calls directly, on a socket in folder
// dir (the host's; "": a folder of its own), or returns nil when it cannot.
func listenDirect(s *server, dir string) (*directCalls, error) {
	var d *directCalls
	if dir != "" {
		if ln, err := net.Listen("unix", filepath.Join(dir, "calls")); err == nil {
			d = &directCalls{ln: ln} // the listener removes the socket when closed
		}
	}
	if d == nil {
		own, err := os.MkdirTemp("", "tentacle-plugin-") // mode 0700
		if err != nil {
			return nil, fmt.Errorf("direct calls: %w", err)
		}
		ln, err := net.Listen("unix", filepath.Join(own, "calls"))
		if err != nil {
			_ = os.RemoveAll(own)
			return nil, fmt.Errorf("direct calls: %w", err)
		}
		d = &directCalls{dir: own, ln: ln}
	}
	go d.accept(s)
	return d, nil
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
		go transport.ServeConn(conn, func() transport.Message { return new(lean.CallRequest) }, func(m transport.Message) transport.Message {
			return s.dispatch(m.(*lean.CallRequest))
		})
	}
}

// close stops listening and removes the socket, and its folder if it has
// one of its own.
func (d *directCalls) close() {
	if d == nil {
		return
	}
	d.once.Do(func() {
		_ = d.ln.Close()
		if d.dir != "" {
			_ = os.RemoveAll(d.dir)
		}
	})
}

// directHost makes the plugin's Host calls directly on the host's socket
// (pluginpb.DescribeRequest.direct_host); when the socket cannot be
// reached, through fallback (gRPC, in the earlier protocol), or they fail.
type directHost struct {
	fallback hostClient // nil: none
	conns    *transport.Conns
}

func newDirectHost(fallback hostClient, addr string) hostClient {
	if addr == "" {
		return fallback
	}
	return &directHost{fallback: fallback, conns: transport.NewConns(addr, 4)}
}

// call makes one Host call directly, by ctx's deadline; ok false when the
// socket could not be reached and there is a fallback to go through.
func (d *directHost) call(ctx context.Context, call *lean.HostCall) (reply *lean.HostReply, ok bool, err error) {
	deadline, _ := ctx.Deadline()
	reply = new(lean.HostReply)
	err = d.conns.Call(call, reply, deadline)
	var de *transport.DialError
	if errors.As(err, &de) && d.fallback != nil {
		return nil, false, nil
	}
	if err == nil && reply.Failure != "" {
		err = fmt.Errorf("%s", reply.Failure)
	}
	return reply, true, err
}

func (d *directHost) Settings(ctx context.Context, req *lean.SettingsRequest) (*lean.SettingsResponse, error) {
	r, ok, err := d.call(ctx, &lean.HostCall{Settings: req})
	if !ok {
		return d.fallback.Settings(ctx, req)
	}
	return r.Settings, err
}

func (d *directHost) Manager(ctx context.Context, req *lean.ManagerRequest) (*lean.ManagerResponse, error) {
	r, ok, err := d.call(ctx, &lean.HostCall{Manager: req})
	if !ok {
		return d.fallback.Manager(ctx, req)
	}
	return r.Manager, err
}

func (d *directHost) CallHelper(ctx context.Context, req *lean.HelperRequest) (*lean.CallResponse, error) {
	r, ok, err := d.call(ctx, &lean.HostCall{Helper: req})
	if !ok {
		return d.fallback.CallHelper(ctx, req)
	}
	return r.Helper, err
}

func (d *directHost) Invoke(ctx context.Context, req *lean.InvokeRequest) (*lean.InvokeResponse, error) {
	r, ok, err := d.call(ctx, &lean.HostCall{Invoke: req})
	if !ok {
		return d.fallback.Invoke(ctx, req)
	}
	return r.Invoke, err
}

var _ hostClient = (*directHost)(nil)
