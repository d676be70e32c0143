package transport_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// TestCallsInBothModes: many calls in a row, from several goroutines, and
// messages larger than a shared channel's buffer (which go over the
// socket) each get their own answer, in both modes; nothing is left
// running once the pool and the server are closed.
func TestCallsInBothModes(t *testing.T) {
	for _, mode := range transportModes {
		t.Run(mode.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			mode.set(t)
			addr, stop := echoServerStop(t)
			p := transport.NewConns(addr, 2)
			big := strings.Repeat("x", 200<<10)
			var wg sync.WaitGroup
			for g := range 3 {
				wg.Go(func() {
					for i := range 2000 {
						target := string(rune('a'+g)) + string(rune('0'+i%10))
						if i%500 == 7 {
							target += big
						}
						if got, err := call(p, target, "", 10*time.Second); err != nil || got != target {
							t.Errorf("call %d of %d: %.20q, %v", i, g, got, err)
							return
						}
					}
				})
			}
			wg.Wait()
			p.Close()
			stop()
		})
	}
}

// TestSharedChannelPeerGone: a call whose answering side goes away
// mid-call fails at once, well before its deadline.
func TestSharedChannelPeerGone(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	release := make(chan struct{})
	defer close(release)
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		conns <- c
		transport.ServeConn(c, func() transport.Message { return protomsg.Of(new(pluginpb.CallRequest)) }, func(m transport.Message) transport.Message {
			<-release // no answer in time: its connection is closed under it
			return protomsg.Of(&pluginpb.CallResponse{})
		})
	}()
	p := transport.NewConns(addr, 1)
	defer p.Close()
	go func() {
		c := <-conns
		time.Sleep(50 * time.Millisecond)
		c.Close()
	}()
	start := time.Now()
	_, err = call(p, "x", "", 30*time.Second)
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("call to a side that went away: %v; want a failure other than the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the failure took %v", d)
	}
}

// TestSharedChannelRefused: an answering side that knows only frames (it
// closes a connection whose first frame is too large) is called with
// frames, on a new connection.
func TestSharedChannelRefused(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() { // an older answering side: frames only
				defer accepted.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					var req pluginpb.CallRequest
					if err := transport.ReadFrame(r, protomsg.Of(&req)); err != nil {
						return
					}
					if err := transport.WriteFrame(c, protomsg.Of(&pluginpb.CallResponse{Error: req.Target})); err != nil {
						return
					}
				}
			}()
		}
	}()
	p := transport.NewConns(addr, 1)
	for _, target := range []string{"a", "b"} {
		if got, err := call(p, target, "", 5*time.Second); err != nil || got != target {
			t.Errorf("call %s: %q, %v", target, got, err)
		}
	}
	p.Close()
	ln.Close()
	accepted.Wait()
}

// TestSharedChannelIdle: a connection left idle for longer than the
// answering side's naps is answered when the next call comes.
func TestSharedChannelIdle(t *testing.T) {
	p := transport.NewConns(echoServer(t), 1)
	defer p.Close()
	for i := range 2 {
		if i > 0 {
			time.Sleep(transport.ServerNap + 200*time.Millisecond)
		}
		if got, err := call(p, "x", "", 5*time.Second); err != nil || got != "x" {
			t.Fatalf("call %d: %q, %v", i+1, got, err)
		}
	}
}
