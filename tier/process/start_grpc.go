package process

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/tentacle-go/tentacle/internal/goplugin"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
)

// startGRPC starts the process in the earlier protocol, which executables
// built with earlier SDKs speak: it completes go-plugin's handshake, serves
// the host's services to the process over go-plugin's broker and asks it
// to describe itself over gRPC (direct calls beside).
func (p *proc) startGRPC(ctx context.Context, req *pluginpb.DescribeRequest, out *output, hostSvc pluginpb.HostServer, startTimeout time.Duration) error {
	cmd := p.cmd
	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  goplugin.Handshake,
		Plugins:          map[string]plugin.Plugin{goplugin.PluginName: &goplugin.GRPCPlugin{}},
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
	fail := func(err error) error {
		p.closeDirect()
		client.Kill()
		p.finish()
		return err
	}
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill() // waits for the process to end, and its output
		p.finish()
		return startError(err, cmd, startTimeout)
	}
	raw, err := rpcClient.Dispense(goplugin.PluginName)
	if err != nil {
		return fail(err)
	}
	rc, ok := raw.(*goplugin.Client)
	if !ok {
		return fail(errors.New("the process serves no tentacle plugin"))
	}
	p.rpc = rc
	p.host = listenHostDirect(hostSvc, p.sockets)
	go p.watchGRPC()
	brokerID := rc.Broker.NextId()
	go rc.Broker.AcceptAndServe(brokerID, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		pluginpb.RegisterHostServer(s, hostSvc)
		return s
	})
	dctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	req.HostBrokerId, req.DirectHost = brokerID, p.host.addr()
	desc, err := rc.Describe(dctx, req)
	if err != nil {
		return fail(fmt.Errorf("describe: %w", err))
	}
	p.desc = desc
	return nil
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
	switch {
	case strings.HasPrefix(msg, msgTimeout):
		return fmt.Errorf("%w within %s", ErrStart, timeout)
	case strings.HasPrefix(msg, msgExited):
		return fmt.Errorf("%w: %s before the handshake", ErrStart, ended(cmd))
	case strings.HasPrefix(msg, msgUnrecognized):
		line, _, _ := strings.Cut(strings.TrimPrefix(msg, msgUnrecognized), "\n")
		if line == "" {
			return fmt.Errorf("%w: %s before the handshake", ErrStart, ended(cmd))
		}
		return fmt.Errorf("%w: it wrote %q to stdout before the handshake: "+
			"a plugin must not write to stdout before sdk.Serve, where the host reads the handshake (log to stderr)", ErrStart, line)
	}
	return err
}

// ended says how the process cmd, which has ended, ended.
func ended(cmd *exec.Cmd) string {
	if st := cmd.ProcessState; st != nil {
		return "it exited (" + st.String() + ")"
	}
	return "its stdout was closed"
}

// watchGRPC closes exited when the process is gone.
func (p *proc) watchGRPC() {
	for !p.client.Exited() {
		time.Sleep(50 * time.Millisecond)
	}
	p.closeDirect()
	p.finish()
	close(p.exited)
}
