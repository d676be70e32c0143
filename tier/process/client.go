package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/transport"
)

// proc is one running plugin process.
type proc struct {
	client *plugin.Client
	cmd    *exec.Cmd
	rpc    *transport.Client
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

// startProcess checks the executable against its SHA-256, starts it,
// completes go-plugin's handshake, serves the host's services to it and
// asks it to describe itself.
//
// The process's unix sockets go into a folder of its own in the host's
// folder from runs, removed once it has stopped.
func startProcess(ctx context.Context, id, exe, sha string, c *checks, out *output, hostSvc pluginpb.HostServer, mixins []*pluginpb.MixinDecl, startTimeout time.Duration, runs *runDirs) (*proc, error) {
	cmd, started, err := verifiedCommand(exe, sha, c)
	if err != nil {
		return nil, err
	}
	defer started() // the process has its own descriptor of the file by then
	cmd.Dir = filepath.Dir(exe)
	dieWithHost(cmd)
	p := &proc{cmd: cmd, exited: make(chan struct{}), runs: runs, runDir: runs.acquire()}
	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  transport.Handshake,
		Plugins:          map[string]plugin.Plugin{transport.PluginName: &transport.GRPCPlugin{}},
		RunnerFunc:       runnerFunc(cmd, func(dir string) { p.sockets = dir }),
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: p.runDir},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
		Stderr:           out,
		SyncStdout:       out,
		SyncStderr:       out,
		StartTimeout:     startTimeout,
	})
	client := p.client
	fail := func(err error) (*proc, error) {
		p.closeDirect()
		client.Kill()
		p.finish()
		return nil, err
	}
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill() // waits for the process to end, and its output
		p.finish()
		return nil, fmt.Errorf("start %s: %w", exe, startError(err, cmd, startTimeout))
	}
	raw, err := rpcClient.Dispense(transport.PluginName)
	if err != nil {
		return fail(fmt.Errorf("start %s: %w", exe, err))
	}
	rc, ok := raw.(*transport.Client)
	if !ok {
		return fail(fmt.Errorf("start %s: the process serves no tentacle plugin", exe))
	}
	p.rpc = rc
	p.host = listenHostDirect(hostSvc, p.sockets)
	go p.watch()
	brokerID := rc.Broker.NextId()
	go rc.Broker.AcceptAndServe(brokerID, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		pluginpb.RegisterHostServer(s, hostSvc)
		return s
	})
	dctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	desc, err := rc.Describe(dctx, &pluginpb.DescribeRequest{Plugin: id, HostBrokerId: brokerID, DirectHost: p.host.addr(), Mixins: mixins,
		LogLevel: describedLevel(out.log)})
	if err != nil {
		return fail(fmt.Errorf("describe: %w", err))
	}
	p.desc = desc
	if desc.DirectCalls != "" {
		p.direct.Store(transport.NewConns(desc.DirectCalls, maxIdleDirect))
		select {
		case <-p.exited: // gone already: watch may have missed it
			p.closeDirect()
		default:
		}
	}
	return p, nil
}

// go-plugin's messages for a process that did not complete its handshake.
const (
	msgUnrecognized = "Unrecognized remote plugin message: "
	msgTimeout      = "timeout while waiting for plugin to start"
	msgExited       = "plugin exited before we could connect"
)

// startError says why a process did not complete go-plugin's handshake, in
// place of go-plugin's own message, which is written for the authors of
// go-plugin hosts (and guesses at the wrong architecture when a plugin
// printed to stdout or exited). cmd has ended.
func startError(err error, cmd *exec.Cmd, timeout time.Duration) error {
	msg := err.Error()
	ended := "its stdout was closed"
	if st := cmd.ProcessState; st != nil {
		ended = "it exited (" + st.String() + ")"
	}
	switch {
	case strings.HasPrefix(msg, msgTimeout):
		return fmt.Errorf("%w within %s", ErrStart, timeout)
	case strings.HasPrefix(msg, msgExited):
		return fmt.Errorf("%w: %s before the handshake", ErrStart, ended)
	case strings.HasPrefix(msg, msgUnrecognized):
		line, _, _ := strings.Cut(strings.TrimPrefix(msg, msgUnrecognized), "\n")
		if line == "" {
			return fmt.Errorf("%w: %s before the handshake", ErrStart, ended)
		}
		return fmt.Errorf("%w: it wrote %q to stdout before the handshake: "+
			"a plugin must not write to stdout before sdk.Serve, where the host reads the handshake (log to stderr)", ErrStart, line)
	}
	return err
}

// ErrStart is the failure of a plugin process that did not complete its
// handshake: it printed to stdout first, it exited, or it hung.
var ErrStart = errors.New("the plugin's process did not start")

// watch closes exited when the process is gone.
func (p *proc) watch() {
	for !p.client.Exited() {
		time.Sleep(50 * time.Millisecond)
	}
	p.closeDirect()
	p.finish()
	close(p.exited)
}

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
// plugin takes direct calls and its socket answers, else over gRPC. It
// reports whether the call failed because it overran the deadline.
func (p *proc) call(req *pluginpb.CallRequest, timeout time.Duration) (resp *pluginpb.CallResponse, overrun bool, err error) {
	if d := p.direct.Load(); d != nil {
		resp, err = callDirect(d, req, timeout)
		var de *transport.DialError
		if !errors.As(err, &de) {
			return resp, errors.Is(err, os.ErrDeadlineExceeded), err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	resp, err = p.rpc.Call(ctx, req)
	// The deadline travels with the call: the plugin's side may end the call
	// on it a moment before the host's context notices.
	return resp, err != nil && (ctx.Err() != nil || status.Code(err) == codes.DeadlineExceeded), err
}

// kill kills the process at once (its end is noticed as any other).
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// stop ends the process: gracefully (go-plugin closes the connection and
// waits up to 2 s), then killed.
func (p *proc) stop() {
	p.closeDirect()
	p.client.Kill()
	p.finish()
}

// errNotRunning is the failure of a call to a plugin whose process is not
// running.
var errNotRunning = errors.New("the plugin's process is not running")
