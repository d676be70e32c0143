package transport_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// echoServer answers each CallRequest with its target as the error text,
// after sleeping as long as its arguments say ("" for no sleep).
func echoServer(t *testing.T) string {
	t.Helper()
	addr, stop := echoServerStop(t)
	t.Cleanup(stop)
	return addr
}

// echoServerStop is echoServer, with the function that stops it (and waits
// for its connections to end: close the callers' pools first).
func echoServerStop(t *testing.T) (string, func()) {
	t.Helper()
	addr := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", addr)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var once sync.Once
	stop := func() { once.Do(func() { ln.Close(); wg.Wait() }) }
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				transport.ServeConn(c, func() transport.Message { return protomsg.Of(new(pluginpb.CallRequest)) }, func(m transport.Message) transport.Message {
					req := m.(protomsg.Msg).Message.(*pluginpb.CallRequest)
					if d, err := time.ParseDuration(string(req.ArgsJson)); err == nil {
						time.Sleep(d)
					}
					return protomsg.Of(&pluginpb.CallResponse{Error: req.Target})
				})
			}()
		}
	}()
	return addr, stop
}

func call(p *transport.Conns, target, sleep string, timeout time.Duration) (string, error) {
	var resp pluginpb.CallResponse
	err := p.Call(protomsg.Of(&pluginpb.CallRequest{Target: target, ArgsJson: []byte(sleep)}), protomsg.Of(&resp), time.Now().Add(timeout))
	return resp.Error, err
}

// TestConns: calls get their own answers, also from goroutines at once;
// one that overruns fails with os.ErrDeadlineExceeded and its late answer
// never reaches a later call; a socket that is not there is a DialError;
// a closed pool refuses calls.
func TestConns(t *testing.T) {
	for _, mode := range transportModes {
		t.Run(mode.name, func(t *testing.T) {
			mode.set(t)
			testConns(t)
		})
	}
}

// transportModes are the ways direct calls travel: through shared
// channels (on Linux) and as frames over the socket.
var transportModes = []struct {
	name string
	set  func(t *testing.T)
}{
	{"shared", func(*testing.T) {}},
	{"frames", func(t *testing.T) { t.Setenv(transport.SharedMemoryEnv, "off") }},
}

func testConns(t *testing.T) {
	p := transport.NewConns(echoServer(t), 2)
	defer p.Close()
	if got, err := call(p, "a", "", time.Second); err != nil || got != "a" {
		t.Fatalf("call: %q, %v", got, err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := string(rune('a' + i))
			if got, err := call(p, target, "1ms", 5*time.Second); err != nil || got != target {
				t.Errorf("parallel call %s: %q, %v", target, got, err)
			}
		}()
	}
	wg.Wait()

	if _, err := call(p, "slow", "300ms", 50*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("overrun: %v; want os.ErrDeadlineExceeded", err)
	}
	time.Sleep(300 * time.Millisecond) // the late answer is written by now
	for range 3 {                      // whichever connection each call gets
		if got, err := call(p, "next", "", time.Second); err != nil || got != "next" {
			t.Errorf("after an overrun: %q, %v; want the call's own answer", got, err)
		}
	}

	var de *transport.DialError
	missing := transport.NewConns(filepath.Join(t.TempDir(), "none"), 1)
	if _, err := call(missing, "x", "", time.Second); !errors.As(err, &de) {
		t.Errorf("no socket: %v; want a DialError", err)
	}
	p.Close()
	if _, err := call(p, "x", "", time.Second); !errors.Is(err, transport.ErrConnsClosed) {
		t.Errorf("closed: %v; want ErrConnsClosed", err)
	}
}
