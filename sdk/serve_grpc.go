//go:build tentacle_grpc

package sdk

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/protobuf/proto"

	"github.com/tentacle-go/tentacle/internal/goplugin"
	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// This build serves the earlier protocol: go-plugin's handshake and gRPC,
// with direct calls beside them, as plugins built with earlier SDKs do. It
// holds no lean marker, so hosts start it that way. The tests build a
// fixture with it, to run the host's fallback end to end.

// protocolVersion is pluginpb.Description.protocol.
var protocolVersion = uint32(goplugin.Handshake.ProtocolVersion)

// socketDirEnv names the folder the host gave the process for its unix
// sockets: go-plugin's variable. The host owns the folder.
const socketDirEnv = "PLUGIN_UNIX_SOCKET_DIR"

// restoreStderr gives os.Stderr back once: go-plugin points it at a pipe
// it streams to the host over gRPC, whose last lines are lost when the
// process exits at once (a crash, os.Exit).
var restoreStderr sync.Once

func serve(s *server, opts Options) {
	if os.Getenv(DirectCallsEnv) != "off" {
		d, err := listenDirect(s, os.Getenv(socketDirEnv))
		if err != nil {
			newLogger().Warn("no direct calls: every call goes over gRPC", "error", err)
		}
		s.direct = d
	}
	defer s.direct.close()
	// Logs of plugin code that uses slog's default logger reach the host
	// as the plugin's logger's do; go-plugin's own only when they matter.
	slog.SetDefault(newLogger())
	go watchParent(os.Getppid(), opts.ParentCheck, s.direct.close)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: goplugin.Handshake,
		Logger:          hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: stderr, JSONFormat: true}),
		Plugins: map[string]plugin.Plugin{
			goplugin.PluginName: &goplugin.GRPCPlugin{Serve: func(b *plugin.GRPCBroker) pluginpb.PluginServer {
				return &grpcServer{s: s, broker: b}
			}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}

// grpcServer serves the Plugin service over gRPC.
type grpcServer struct {
	pluginpb.UnimplementedPluginServer
	s      *server
	broker *plugin.GRPCBroker
}

// convert copies message src into dst, of the other side's types: the
// two encode alike.
func convert(dst transport.Message, src transport.Message) error {
	b, err := src.MarshalAppend(nil)
	if err != nil {
		return err
	}
	return dst.Unmarshal(b)
}

// pb is a protobuf message as a transport.Message.
type pb struct{ proto.Message }

func (m pb) MarshalAppend(b []byte) ([]byte, error) {
	return proto.MarshalOptions{}.MarshalAppend(b, m.Message)
}
func (m pb) Unmarshal(b []byte) error { return proto.Unmarshal(b, m.Message) }

// Describe connects to the host's services and returns what the plugin
// declares.
func (g *grpcServer) Describe(ctx context.Context, in *pluginpb.DescribeRequest) (*pluginpb.Description, error) {
	restoreStderr.Do(func() { os.Stderr = stderr }) // go-plugin has redirected it by now
	if in.HostBrokerId != 0 {
		conn, err := g.broker.Dial(in.HostBrokerId)
		if err != nil {
			return nil, fmt.Errorf("reach the host's services: %w", err)
		}
		// Connected before the plugin is described: its host services work
		// from its first call on, and the host's side of the connection is
		// up before the host's load of the plugin returns.
		conn.Connect()
		for st := conn.GetState(); st != connectivity.Ready; st = conn.GetState() {
			if !conn.WaitForStateChange(ctx, st) {
				return nil, fmt.Errorf("reach the host's services: %w", ctx.Err())
			}
		}
		var hc hostClient = grpcHost{pluginpb.NewHostClient(conn)}
		if os.Getenv(DirectCallsEnv) != "off" {
			hc = newDirectHost(hc, in.DirectHost)
		}
		g.s.setHost(hc)
	}
	req := new(lean.DescribeRequest)
	if err := convert(req, pb{in}); err != nil {
		return nil, err
	}
	d, err := g.s.describe(req)
	if err != nil {
		return nil, err
	}
	d.DirectCalls = g.s.direct.addr()
	out := new(pluginpb.Description)
	return out, convert(pb{out}, d)
}

// relay converts the gRPC request in into req, answers it with fn and
// converts the answer into out.
func relay[R transport.Message, O proto.Message](in proto.Message, req transport.Message, fn func() (R, error), out O) (O, error) {
	var zero O
	if err := convert(req, pb{in}); err != nil {
		return zero, err
	}
	resp, err := fn()
	if err != nil {
		return zero, err
	}
	return out, convert(pb{out}, resp)
}

// Call calls the plugin's code.
func (g *grpcServer) Call(ctx context.Context, in *pluginpb.CallRequest) (*pluginpb.CallResponse, error) {
	req := new(lean.CallRequest)
	return relay(in, req, func() (*lean.CallResponse, error) { return g.s.Call(ctx, req) }, new(pluginpb.CallResponse))
}

// ServeHTTP answers a request with an http.Handler a mixin method returned.
func (g *grpcServer) ServeHTTP(ctx context.Context, in *pluginpb.HTTPRequest) (*pluginpb.HTTPResponse, error) {
	req := new(lean.HTTPRequest)
	return relay(in, req, func() (*lean.HTTPResponse, error) { return g.s.ServeHTTP(ctx, req) }, new(pluginpb.HTTPResponse))
}

// ReadFile reads a file of an fs.FS a mixin method returned.
func (g *grpcServer) ReadFile(ctx context.Context, in *pluginpb.FileRequest) (*pluginpb.FileResponse, error) {
	req := new(lean.FileRequest)
	return relay(in, req, func() (*lean.FileResponse, error) { return g.s.ReadFile(ctx, req) }, new(pluginpb.FileResponse))
}

// grpcHost calls the host's services over gRPC.
type grpcHost struct{ c pluginpb.HostClient }

// hostCall converts req, calls fn with it and converts its answer into out.
func hostCall[In, Out proto.Message](req transport.Message, in In, out transport.Message, fn func(In, ...grpc.CallOption) (Out, error)) error {
	if err := convert(pb{in}, req); err != nil {
		return err
	}
	resp, err := fn(in)
	if err != nil {
		return err
	}
	return convert(out, pb{resp})
}

func (h grpcHost) Settings(ctx context.Context, req *lean.SettingsRequest) (*lean.SettingsResponse, error) {
	out := new(lean.SettingsResponse)
	return out, hostCall(req, new(pluginpb.SettingsRequest), out, func(in *pluginpb.SettingsRequest, o ...grpc.CallOption) (*pluginpb.SettingsResponse, error) {
		return h.c.Settings(ctx, in, o...)
	})
}

func (h grpcHost) Manager(ctx context.Context, req *lean.ManagerRequest) (*lean.ManagerResponse, error) {
	out := new(lean.ManagerResponse)
	return out, hostCall(req, new(pluginpb.ManagerRequest), out, func(in *pluginpb.ManagerRequest, o ...grpc.CallOption) (*pluginpb.ManagerResponse, error) {
		return h.c.Manager(ctx, in, o...)
	})
}

func (h grpcHost) CallHelper(ctx context.Context, req *lean.HelperRequest) (*lean.CallResponse, error) {
	out := new(lean.CallResponse)
	return out, hostCall(req, new(pluginpb.HelperRequest), out, func(in *pluginpb.HelperRequest, o ...grpc.CallOption) (*pluginpb.CallResponse, error) {
		return h.c.CallHelper(ctx, in, o...)
	})
}

func (h grpcHost) Invoke(ctx context.Context, req *lean.InvokeRequest) (*lean.InvokeResponse, error) {
	out := new(lean.InvokeResponse)
	return out, hostCall(req, new(pluginpb.InvokeRequest), out, func(in *pluginpb.InvokeRequest, o ...grpc.CallOption) (*pluginpb.InvokeResponse, error) {
		return h.c.Invoke(ctx, in, o...)
	})
}
