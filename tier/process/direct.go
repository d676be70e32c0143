package process

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// maxIdleDirect is how many idle direct-call connections are kept per
// plugin and direction: enough for the calls that overlap in a host with a
// few cores.
const maxIdleDirect = 4

// callDirect makes one call into the plugin over its direct calls
// (pluginpb.Description.direct_calls): a write and a read on each side,
// where a call over gRPC goes through its transport's goroutines, several
// times slower.
func callDirect(conns *transport.Conns, req *pluginpb.CallRequest, timeout time.Duration) (*pluginpb.CallResponse, error) {
	var resp pluginpb.CallResponse
	if err := conns.Call((*protomsg.CallRequest)(req), (*protomsg.CallResponse)(&resp), time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if resp.Failure != "" {
		return nil, fmt.Errorf("%s", resp.Failure)
	}
	return &resp, nil
}

// hostDirect answers a plugin process's Host calls directly
// (pluginpb.DescribeRequest.direct_host), on a unix socket in the process's
// socket folder, which only this user can enter.
type hostDirect struct {
	ln  net.Listener
	svc pluginpb.HostServer

	used atomic.Bool // the plugin connected

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

// listenHostDirect starts answering svc's calls directly on a socket in
// folder dir (the process's socket folder), or returns nil when it cannot
// (the plugin then calls over gRPC alone).
func listenHostDirect(svc pluginpb.HostServer, dir string) *hostDirect {
	if dir == "" {
		return nil
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "host"))
	if err != nil {
		return nil
	}
	h := &hostDirect{ln: ln, svc: svc, conns: map[net.Conn]bool{}}
	go h.accept()
	return h
}

// addr is where the plugin connects; "" for none.
func (h *hostDirect) addr() string {
	if h == nil {
		return ""
	}
	return h.ln.Addr().String()
}

func (h *hostDirect) accept() {
	for {
		conn, err := h.ln.Accept()
		if err != nil {
			return // closed
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			_ = conn.Close()
			return
		}
		h.conns[conn] = true
		h.mu.Unlock()
		h.used.Store(true)
		go func() {
			transport.ServeConn(conn, func() transport.Message { return new(protomsg.HostCall) }, func(m transport.Message) transport.Message {
				return (*protomsg.HostReply)(h.handle((*pluginpb.HostCall)(m.(*protomsg.HostCall))))
			})
			h.mu.Lock()
			delete(h.conns, conn)
			h.mu.Unlock()
		}()
	}
}

// handle answers one Host call as the Host service over gRPC does.
func (h *hostDirect) handle(call *pluginpb.HostCall) *pluginpb.HostReply {
	ctx := context.Background()
	var reply pluginpb.HostReply
	var err error
	switch c := call.Call.(type) {
	case *pluginpb.HostCall_Settings:
		var r *pluginpb.SettingsResponse
		r, err = h.svc.Settings(ctx, c.Settings)
		reply.Reply = &pluginpb.HostReply_Settings{Settings: r}
	case *pluginpb.HostCall_Manager:
		var r *pluginpb.ManagerResponse
		r, err = h.svc.Manager(ctx, c.Manager)
		reply.Reply = &pluginpb.HostReply_Manager{Manager: r}
	case *pluginpb.HostCall_Helper:
		var r *pluginpb.CallResponse
		r, err = h.svc.CallHelper(ctx, c.Helper)
		reply.Reply = &pluginpb.HostReply_Helper{Helper: r}
	case *pluginpb.HostCall_Invoke:
		var r *pluginpb.InvokeResponse
		r, err = h.svc.Invoke(ctx, c.Invoke)
		reply.Reply = &pluginpb.HostReply_Invoke{Invoke: r}
	default:
		err = fmt.Errorf("unknown host call %T", c)
	}
	if err != nil {
		return &pluginpb.HostReply{Failure: err.Error()}
	}
	return &reply
}

// connected reports whether the plugin has connected here for its Host
// calls (the lean protocol's SDK does during its start).
func (h *hostDirect) connected() bool { return h != nil && h.used.Load() }

// close stops answering, closes the connections and removes the socket.
func (h *hostDirect) close() {
	if h == nil {
		return
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	conns := h.conns
	h.conns = nil
	h.mu.Unlock()
	_ = h.ln.Close()
	for c := range conns {
		_ = c.Close()
	}
}
