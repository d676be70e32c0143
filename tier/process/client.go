package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tentacle-go/tentacle/internal/goplugin"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// proc is one running plugin process, in either protocol: the lean one
// (start_lean.go) or go-plugin's (start_grpc.go).
type proc struct {
	cmd *exec.Cmd
	// The earlier protocol's go-plugin client and gRPC client; nil in the
	// lean one.
	client *plugin.Client
	rpc    *goplugin.Client
	// control is the lean protocol's connection, on which the plugin said
	// Hello; closing it stops the plugin. Nil in the earlier protocol.
	control *leanControl
	// direct is set once the plugin described itself, when it takes
	// direct calls; nil: over gRPC only.
	direct atomic.Pointer[transport.Conns]
	// host answers the plugin's Host calls directly; nil: over gRPC only.
	host   *hostDirect
	desc   *pluginpb.Description
	exited chan struct{} // closed when the process has exited

	// sockets is the folder of the process's unix sockets (go-plugin's,
	// the direct calls both ways), in the host's folder from runs.
	sockets  string
	runs     *runDirs
	runDir   string // what runs.acquire gave
	finished sync.Once
}

// startProcess checks the executable against its SHA-256, starts it in the
// protocol it speaks (found while checking it), serves the host's services
// to it and has it describe itself.
//
// The process's unix sockets go into a folder of its own in the host's
// folder from runs, removed once it has stopped.
func startProcess(ctx context.Context, id, exe, sha string, c *checks, out *output, hostSvc pluginpb.HostServer, mixins []*pluginpb.MixinDecl, startTimeout time.Duration, runs *runDirs) (*proc, error) {
	begin := time.Now()
	cmd, started, protocol, err := verifiedCommand(exe, sha, c)
	if err != nil {
		return nil, err
	}
	defer started() // the process has its own descriptor of the file by then
	cmd.Dir = filepath.Dir(exe)
	dieWithHost(cmd)
	p := &proc{cmd: cmd, exited: make(chan struct{}), runs: runs, runDir: runs.acquire()}
	req := &pluginpb.DescribeRequest{Plugin: id, Mixins: mixins, LogLevel: describedLevel(out.log)}
	if protocol == protocolLean {
		err = p.startLean(ctx, req, out, hostSvc, startTimeout)
	} else {
		err = p.startGRPC(ctx, req, out, hostSvc, startTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}
	if p.desc.DirectCalls != "" {
		conns := transport.NewConns(p.desc.DirectCalls, maxIdleDirect)
		if protocol == protocolLean {
			prepareFirstCall(conns, startTimeout-time.Since(begin))
		}
		p.direct.Store(conns)
		select {
		case <-p.exited: // gone already: watch may have missed it
			p.closeDirect()
		default:
		}
	}
	return p, nil
}

// prepareFirstCall makes the connection of the first direct call into a
// plugin that has just started, waiting for it no longer than within (what
// is left of the start's time): the starts of several plugins run side by
// side, their first calls (Load, the enable's) one after the other. A
// connection not made in time, or not at all, is the first call's to make
// and to report.
func prepareFirstCall(conns *transport.Conns, within time.Duration) {
	if within <= 0 {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = conns.Prepare()
	}()
	timer := time.NewTimer(within)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
}

// ErrStart is the failure of a plugin process that did not complete its
// handshake: it printed to stdout first, it exited, or it hung.
var ErrStart = errors.New("the plugin's process did not start")

// finish removes the process's socket folder once it has ended (go-plugin
// removes it only when the host stops the process), and gives the host's
// folder back.
func (p *proc) finish() {
	p.finished.Do(func() {
		if p.sockets != "" {
			_ = os.RemoveAll(p.sockets)
		}
		p.runs.release(p.runDir)
	})
}

// closeDirect closes the direct calls both ways.
func (p *proc) closeDirect() {
	if d := p.direct.Load(); d != nil {
		d.Close()
	}
	p.host.close()
}

// pid returns the process id, or 0.
func (p *proc) pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// exitStatus describes how the process ended.
func (p *proc) exitStatus() string {
	if st := p.cmd.ProcessState; st != nil {
		return st.String()
	}
	return "exited"
}

// call makes one call into the process with a deadline: directly when the
// plugin takes direct calls and its socket answers, else over gRPC (in the
// earlier protocol). It reports whether the call failed because it overran
// the deadline.
func (p *proc) call(req *pluginpb.CallRequest, timeout time.Duration) (resp *pluginpb.CallResponse, overrun bool, err error) {
	if d := p.direct.Load(); d != nil {
		resp, err = callDirect(d, req, timeout)
		var de *transport.DialError
		if !errors.As(err, &de) || p.rpc == nil {
			return resp, errors.Is(err, os.ErrDeadlineExceeded), err
		}
	}
	if p.rpc == nil {
		return nil, false, errNotRunning
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err = p.rpc.Call(ctx, req)
	// The deadline travels with the call: the plugin's side may end the call
	// on it a moment before the host's context notices.
	return resp, err != nil && (ctx.Err() != nil || status.Code(err) == codes.DeadlineExceeded), err
}

// serveHTTP has the plugin answer an HTTP request with one of its
// http.Handlers.
func (p *proc) serveHTTP(ctx context.Context, req *pluginpb.HTTPRequest) (*pluginpb.HTTPResponse, error) {
	if p.rpc != nil {
		return p.rpc.ServeHTTP(ctx, req)
	}
	resp, err := p.callCtx(ctx, &pluginpb.CallRequest{Kind: pluginpb.CallRequest_SERVE_HTTP, Http: req})
	if err != nil {
		return nil, err
	}
	return resp.GetHttp(), nil
}

// readFile has the plugin read a file of one of its fs.FSs.
func (p *proc) readFile(ctx context.Context, req *pluginpb.FileRequest) (*pluginpb.FileResponse, error) {
	if p.rpc != nil {
		return p.rpc.ReadFile(ctx, req)
	}
	resp, err := p.callCtx(ctx, &pluginpb.CallRequest{Kind: pluginpb.CallRequest_READ_FILE, File: req})
	if err != nil {
		return nil, err
	}
	if resp.File == nil {
		return &pluginpb.FileResponse{}, nil
	}
	return resp.File, nil
}

// callCtx makes one direct call by ctx's deadline.
func (p *proc) callCtx(ctx context.Context, req *pluginpb.CallRequest) (*pluginpb.CallResponse, error) {
	d := p.direct.Load()
	if d == nil {
		return nil, errNotRunning
	}
	timeout := time.Hour
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	return callDirect(d, req, timeout)
}

// kill kills the process at once (its end is noticed as any other).
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// stop ends the process: gracefully (the lean protocol's connection
// closed, or go-plugin's way), and killed when it has not ended within
// gracePeriod.
func (p *proc) stop() {
	p.closeDirect()
	if p.client != nil {
		p.client.Kill() // go-plugin waits up to 2 s
	} else {
		p.control.close()
		select {
		case <-p.exited:
		case <-time.After(gracePeriod):
			p.kill()
			<-p.exited
		}
	}
	p.finish()
}

// gracePeriod is how long a stopped process has to end on its own before
// it is killed: go-plugin's.
const gracePeriod = 2 * time.Second

// errNotRunning is the failure of a call to a plugin whose process is not
// running.
var errNotRunning = errors.New("the plugin's process is not running")
