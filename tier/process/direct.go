package process

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/tier/process/pluginpb"
	"github.com/tentacle-go/tentacle/tier/process/wire"
)

// maxIdleDirect is how many idle direct-call connections a plugin keeps:
// enough for the calls that overlap in a host with a few cores.
const maxIdleDirect = 4

// directCalls is the host's end of a plugin's direct calls: connections to
// the unix socket the plugin described (pluginpb.Description.direct_calls),
// each carrying one call at a time, kept for the next call. A call over it
// costs a write and a read on each side, where one over gRPC goes through
// its transport's goroutines, several times slower.
type directCalls struct {
	addr string

	mu     sync.Mutex
	idle   []*directConn
	closed bool
}

type directConn struct {
	net.Conn
	r *bufio.Reader
}

// errDirectClosed: the plugin's direct calls were closed (the process is
// stopped or gone).
var errDirectClosed = errors.New("direct calls closed")

// get returns an idle connection, or a new one.
func (d *directCalls) get() (*directConn, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, errDirectClosed
	}
	if n := len(d.idle); n > 0 {
		c := d.idle[n-1]
		d.idle = d.idle[:n-1]
		d.mu.Unlock()
		return c, nil
	}
	d.mu.Unlock()
	c, err := net.Dial("unix", d.addr)
	if err != nil {
		return nil, err
	}
	return &directConn{Conn: c, r: bufio.NewReader(c)}, nil
}

// put keeps c for the next call, or closes it.
func (d *directCalls) put(c *directConn) {
	d.mu.Lock()
	if d.closed || len(d.idle) >= maxIdleDirect {
		d.mu.Unlock()
		_ = c.Close()
		return
	}
	d.idle = append(d.idle, c)
	d.mu.Unlock()
}

// errNoConn wraps the failure to reach the plugin's socket: nothing was
// sent, and the call can go over gRPC instead.
type errNoConn struct{ err error }

func (e errNoConn) Error() string { return "direct calls: " + e.err.Error() }
func (e errNoConn) Unwrap() error { return e.err }

// call makes one call with a deadline. A call that fails or overruns
// closes its connection: the plugin's answer, if it still comes, goes
// nowhere. An overrun's error wraps os.ErrDeadlineExceeded.
func (d *directCalls) call(req *pluginpb.CallRequest, timeout time.Duration) (*pluginpb.CallResponse, error) {
	c, err := d.get()
	if err != nil {
		return nil, errNoConn{err}
	}
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		_ = c.Close()
		return nil, err
	}
	var resp pluginpb.CallResponse
	if err := wire.WriteFrame(c, req); err != nil {
		_ = c.Close()
		return nil, err
	}
	if err := wire.ReadFrame(c.r, &resp); err != nil {
		_ = c.Close()
		return nil, err
	}
	d.put(c)
	if resp.Failure != "" {
		return nil, fmt.Errorf("%s", resp.Failure)
	}
	return &resp, nil
}

// close closes the idle connections; those in use are closed when their
// call ends.
func (d *directCalls) close() {
	d.mu.Lock()
	idle := d.idle
	d.idle, d.closed = nil, true
	d.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}
