package transport

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Conns is the calling end of direct calls: a pool of connections to a
// unix socket on which each connection carries one call at a time, a
// request frame then its response frame (WriteFrame). A call that fails or
// overruns its deadline closes its connection, so that a late answer goes
// nowhere; the others are kept for the next call.
type Conns struct {
	addr    string
	maxIdle int

	// noShared is set once the answering side refused a shared channel:
	// its connections carry frames only.
	noShared atomic.Bool

	mu     sync.Mutex
	idle   []*frameConn
	closed bool
}

type frameConn struct {
	net.Conn
	r      *bufio.Reader
	shared *region // the connection's shared channel; nil: frames only
}

// close gives up the connection's shared channel, if any, and closes it.
func (c *frameConn) close() {
	if c.shared != nil {
		c.shared.giveUp()
		c.shared.unmap()
	}
	_ = c.Conn.Close()
}

// NewConns returns the pool of connections to the socket at addr, keeping
// up to maxIdle idle ones.
func NewConns(addr string, maxIdle int) *Conns {
	return &Conns{addr: addr, maxIdle: maxIdle}
}

// ErrConnsClosed is the failure of a call on a closed pool.
var ErrConnsClosed = errors.New("direct calls closed")

// DialError is the failure to reach the socket: nothing was sent, so the
// call can be made another way.
type DialError struct{ Err error }

func (e *DialError) Error() string { return "direct calls: " + e.Err.Error() }
func (e *DialError) Unwrap() error { return e.Err }

func (p *Conns) get() (*frameConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrConnsClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := net.Dial("unix", p.addr)
	if err != nil {
		return nil, &DialError{err}
	}
	fc := &frameConn{Conn: c, r: newFrameReader(c)}
	if p.noShared.Load() || !sharedSupported() {
		return fc, nil
	}
	if fc.shared, err = offerShared(c); err != nil {
		// Refused (an answering side that only knows frames closes the
		// connection): frames from now on, on a new connection.
		p.noShared.Store(true)
		_ = c.Close()
		return p.get()
	}
	return fc, nil
}

func newFrameReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

func (p *Conns) put(c *frameConn) {
	p.mu.Lock()
	if p.closed || len(p.idle) >= p.maxIdle {
		p.mu.Unlock()
		c.close()
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// Call sends req and reads the answer into resp, by deadline (none when
// zero). An overrun's error wraps os.ErrDeadlineExceeded; one that could
// not reach the socket is a *DialError.
func (p *Conns) Call(req, resp Message, deadline time.Time) error {
	c, err := p.get()
	if err != nil {
		return err
	}
	if c.shared != nil {
		if err := callShared(c.Conn, c.r, c.shared, req, resp, deadline); err != nil {
			c.close()
			return err
		}
		p.put(c)
		return nil
	}
	if err := c.SetDeadline(deadline); err != nil {
		_ = c.Close()
		return err
	}
	if err := WriteFrame(c, req); err != nil {
		_ = c.Close()
		return err
	}
	if err := ReadFrame(c.r, resp); err != nil {
		_ = c.Close()
		return err
	}
	p.put(c)
	return nil
}

// Close closes the idle connections and makes further calls fail; those in
// use are closed when their call ends.
func (p *Conns) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
}

// ServeConn answers the calls of one connection of direct calls, one at a
// time, until it is closed or a frame cannot be read or written: each
// request read into newReq() is answered with what handle returns.
//
// A calling side that offers a shared channel (see shm_linux.go) gets its
// calls answered through it.
func ServeConn(conn net.Conn, newReq func() Message, handle func(Message) Message) {
	defer conn.Close()
	var head [4]byte
	shared, err := readHead(conn, &head)
	if err != nil {
		return
	}
	if shared != nil {
		serveShared(conn, shared, newReq, handle)
		return
	}
	r := newFrameReader(conn)
	for first := true; ; first = false {
		req := newReq()
		if first {
			err = readFrameBody(r, head, req)
		} else {
			err = ReadFrame(r, req)
		}
		if err != nil {
			return
		}
		if err := WriteFrame(conn, handle(req)); err != nil {
			return
		}
	}
}

// SharedMemoryEnv, set to "off" in a process's environment, keeps its
// direct calls from using shared channels (see shm_linux.go): they go over
// the socket as frames. A plugin process inherits the host's environment.
const SharedMemoryEnv = "TENTACLE_PLUGIN_SHARED_MEMORY"
