package transport_test

import (
	"errors"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// TestPrepare: Prepare makes a connection before any call, which the first
// call then uses (the answering side accepts one connection for both), in
// both modes; on a socket that is not there it fails with a *DialError,
// and the pool dials as usual once there is one.
func TestPrepare(t *testing.T) {
	for _, mode := range []string{"shared", "frames"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "frames" {
				t.Setenv(transport.SharedMemoryEnv, "off")
			}
			addr := filepath.Join(t.TempDir(), "s")
			ln, err := net.Listen("unix", addr)
			if err != nil {
				t.Fatal(err)
			}
			var accepted atomic.Int32
			first := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					if accepted.Add(1) == 1 {
						close(first)
					}
					wg.Go(func() {
						transport.ServeConn(c, func() transport.Message { return protomsg.Of(new(pluginpb.CallRequest)) }, func(m transport.Message) transport.Message {
							return protomsg.Of(&pluginpb.CallResponse{Error: m.(protomsg.Msg).Message.(*pluginpb.CallRequest).Target})
						})
					})
				}
			})
			p := transport.NewConns(addr, 2)
			defer func() { p.Close(); ln.Close(); wg.Wait() }()
			if err := p.Prepare(); err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			select {
			case <-first:
			case <-time.After(10 * time.Second):
				t.Fatal("no connection accepted after Prepare")
			}
			// A call that dialed a connection of its own would be answered on
			// it only after the prepared one, first in the socket's queue,
			// was accepted: two accepted by the time it returns.
			if got, err := call(p, "one", "", 5*time.Second); got != "one" || err != nil {
				t.Fatalf("call: %q, %v", got, err)
			}
			if n := accepted.Load(); n != 1 {
				t.Errorf("%d connections accepted; want 1, made by Prepare and used by the call", n)
			}
		})
	}
	t.Run("no socket", func(t *testing.T) {
		addr := filepath.Join(t.TempDir(), "s")
		p := transport.NewConns(addr, 2)
		defer p.Close()
		var de *transport.DialError
		if err := p.Prepare(); !errors.As(err, &de) {
			t.Fatalf("Prepare without a socket: %v; want a *DialError", err)
		}
		ln, err := net.Listen("unix", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			if c, err := ln.Accept(); err == nil {
				transport.ServeConn(c, func() transport.Message { return protomsg.Of(new(pluginpb.CallRequest)) }, func(m transport.Message) transport.Message {
					return protomsg.Of(&pluginpb.CallResponse{Error: "answered"})
				})
			}
		}()
		if got, err := call(p, "two", "", 5*time.Second); got != "answered" || err != nil {
			t.Errorf("call once the socket is there: %q, %v", got, err)
		}
	})
}
