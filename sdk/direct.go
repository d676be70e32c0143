package sdk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// DirectCallsEnv, set to "off" in a plugin's environment, keeps it from
// using direct calls: every call, the host's into the plugin and the
// plugin's into the host, then goes over gRPC (for debugging and for the
// tests of that path).
const DirectCallsEnv = "TENTACLE_PLUGIN_DIRECT_CALLS"

// socketDirEnv names the folder the host gave the process for its unix
// sockets: go-plugin's variable, which go-plugin's side of the plugin reads
// too. The host owns the folder and removes it once the process has
// stopped, however it stopped.
const socketDirEnv = "PLUGIN_UNIX_SOCKET_DIR"

// directCalls serves the plugin's calls on a unix socket that only this
// user can reach: the host's fast path for hook handlers and helpers (see
// pluginpb.Description.direct_calls). Each connection carries one call at
// a time. The socket is in the folder the host gave the process
// (socketDirEnv); a host too old to give one gets it in a folder of its own
// under the temporary folder.
type directCalls struct {
	dir  string // the folder of its own, "" in the host's
	ln   net.Listener
	once sync.Once
}

// listenDirect starts serving s's calls directly, or returns nil when it
// cannot (the host then calls over gRPC alone).
func listenDirect(s *server) *directCalls {
	if os.Getenv(DirectCallsEnv) == "off" {
		return nil
	}
	var d *directCalls
	if dir := os.Getenv(socketDirEnv); dir != "" {
		if ln, err := net.Listen("unix", filepath.Join(dir, "calls")); err == nil {
			d = &directCalls{ln: ln} // the listener removes the socket when closed
		}
	}
	if d == nil {
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
		d = &directCalls{dir: dir, ln: ln}
	}
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
		go transport.ServeConn(conn, func() proto.Message { return new(pluginpb.CallRequest) }, func(m proto.Message) proto.Message {
			resp, err := s.Call(context.Background(), m.(*pluginpb.CallRequest))
			if err != nil {
				return &pluginpb.CallResponse{Failure: err.Error()}
			}
			return resp
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
// (pluginpb.DescribeRequest.direct_host), over gRPC when the socket cannot
// be reached.
type directHost struct {
	pluginpb.HostClient // over gRPC
	conns               *transport.Conns
}

func newDirectHost(grpcClient pluginpb.HostClient, addr string) pluginpb.HostClient {
	if addr == "" || os.Getenv(DirectCallsEnv) == "off" {
		return grpcClient
	}
	return &directHost{HostClient: grpcClient, conns: transport.NewConns(addr, 4)}
}

// call makes one Host call directly, by ctx's deadline; ok false when the
// socket could not be reached (the caller then goes over gRPC).
func (d *directHost) call(ctx context.Context, call *pluginpb.HostCall) (reply *pluginpb.HostReply, ok bool, err error) {
	deadline, _ := ctx.Deadline()
	reply = new(pluginpb.HostReply)
	err = d.conns.Call(call, reply, deadline)
	var de *transport.DialError
	if errors.As(err, &de) {
		return nil, false, nil
	}
	if err == nil && reply.Failure != "" {
		err = fmt.Errorf("%s", reply.Failure)
	}
	return reply, true, err
}

func (d *directHost) Settings(ctx context.Context, req *pluginpb.SettingsRequest, opts ...grpc.CallOption) (*pluginpb.SettingsResponse, error) {
	r, ok, err := d.call(ctx, &pluginpb.HostCall{Call: &pluginpb.HostCall_Settings{Settings: req}})
	if !ok {
		return d.HostClient.Settings(ctx, req, opts...)
	}
	return r.GetSettings(), err
}

func (d *directHost) Manager(ctx context.Context, req *pluginpb.ManagerRequest, opts ...grpc.CallOption) (*pluginpb.ManagerResponse, error) {
	r, ok, err := d.call(ctx, &pluginpb.HostCall{Call: &pluginpb.HostCall_Manager{Manager: req}})
	if !ok {
		return d.HostClient.Manager(ctx, req, opts...)
	}
	return r.GetManager(), err
}

func (d *directHost) CallHelper(ctx context.Context, req *pluginpb.HelperRequest, opts ...grpc.CallOption) (*pluginpb.CallResponse, error) {
	r, ok, err := d.call(ctx, &pluginpb.HostCall{Call: &pluginpb.HostCall_Helper{Helper: req}})
	if !ok {
		return d.HostClient.CallHelper(ctx, req, opts...)
	}
	return r.GetHelper(), err
}

func (d *directHost) Invoke(ctx context.Context, req *pluginpb.InvokeRequest, opts ...grpc.CallOption) (*pluginpb.InvokeResponse, error) {
	r, ok, err := d.call(ctx, &pluginpb.HostCall{Call: &pluginpb.HostCall_Invoke{Invoke: req}})
	if !ok {
		return d.HostClient.Invoke(ctx, req, opts...)
	}
	return r.GetInvoke(), err
}

var _ pluginpb.HostClient = (*directHost)(nil)
