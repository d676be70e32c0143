package process

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/protomsg"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// startLean starts the process in the lean protocol: it listens on a
// socket in the process's own socket folder, names it to the process
// (lean.SocketEnv), and on the connection the process makes there sends
// its Hello with req, reads the process's Hello and then its Description.
// Everything else is a direct call both ways. The process's stdout and
// stderr go to out, both from its first byte (stdout carries no
// handshake).
func (p *proc) startLean(ctx context.Context, req *pluginpb.DescribeRequest, out *output, hostSvc pluginpb.HostServer, startTimeout time.Duration) error {
	dir, err := os.MkdirTemp(p.runDir, "plugin-dir") // the temporary folder's when runDir is ""
	if err != nil {
		p.finish()
		return err
	}
	p.sockets = dir
	ln, err := net.Listen("unix", filepath.Join(dir, "start"))
	if err != nil {
		p.finish()
		return err
	}
	p.control = &leanControl{ln: ln}
	p.host = listenHostDirect(hostSvc, dir)
	req.DirectHost = p.host.addr()
	cmd := p.cmd
	cmd.Env = append(os.Environ(), lean.CookieEnv+"="+lean.CookieValue, lean.SocketEnv+"="+ln.Addr().String())
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = gracePeriod // a child of the plugin's that keeps its output open
	if err := cmd.Start(); err != nil {
		p.control.close()
		p.closeDirect()
		p.finish()
		return err
	}
	go p.watchLean()
	fail := func(err error) error {
		p.control.close()
		p.kill()
		<-p.exited // closes the direct calls and removes the sockets
		return err
	}
	type described struct {
		desc *pluginpb.Description
		err  error
	}
	done := make(chan described, 1)
	go func() {
		d, err := p.control.hello(req)
		done <- described{d, err}
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		switch {
		case r.err != nil:
			select {
			case <-p.exited: // the connection ended with the process
				return fail(fmt.Errorf("%w: %s before the handshake", ErrStart, ended(cmd)))
			case <-time.After(gracePeriod):
				return fail(r.err)
			}
		case r.desc.Failure != "":
			return fail(fmt.Errorf("describe: %s", r.desc.Failure))
		}
		p.desc = r.desc
		return nil
	case <-p.exited:
		return fail(fmt.Errorf("%w: %s before the handshake", ErrStart, ended(cmd)))
	case <-timer.C:
		return fail(fmt.Errorf("%w within %s", ErrStart, startTimeout))
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) { // Describe's, as long as the start's
			return fail(fmt.Errorf("%w within %s", ErrStart, startTimeout))
		}
		return fail(ctx.Err())
	}
}

// watchLean closes exited when the process is gone, once its output has
// been read to its end.
func (p *proc) watchLean() {
	_ = p.cmd.Wait()
	p.control.close()
	p.closeDirect()
	p.finish()
	close(p.exited)
}

// leanControl is the lean protocol's connection with a plugin process: the
// first (and only) one made to the socket the process was started with.
type leanControl struct {
	ln net.Listener

	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

var errControlClosed = errors.New("the plugin's connection was closed")

// hello takes the process's connection, exchanges Hellos on it (the host's
// carrying req) and reads the process's Description.
func (c *leanControl) hello(req *pluginpb.DescribeRequest) (*pluginpb.Description, error) {
	conn, err := c.ln.Accept()
	_ = c.ln.Close() // one connection: the socket goes
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errControlClosed, err)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		_ = conn.Close()
		return nil, errControlClosed
	}
	c.conn = conn
	c.mu.Unlock()
	var peer pluginpb.Hello
	hello := &pluginpb.Hello{Protocol: lean.Protocol, Version: lean.Version, Describe: req}
	if err := lean.Exchange(conn, protomsg.Of(hello), protomsg.Of(&peer), time.Time{}); err != nil {
		return nil, err
	}
	if _, err := lean.Negotiate(peer.Protocol, peer.Version); err != nil {
		return nil, err
	}
	desc := new(pluginpb.Description)
	if err := transport.ReadFrame(conn, protomsg.Of(desc)); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	return desc, nil
}

// close closes the connection, which stops the plugin, and the socket.
func (c *leanControl) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	_ = c.ln.Close()
	if c.conn != nil {
		_ = c.conn.Close()
	}
}
