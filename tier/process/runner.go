package process

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"
)

// cmdRunner runs a plugin's command for go-plugin (what go-plugin does
// itself for a ClientConfig.Cmd). The tier gives go-plugin a RunnerFunc
// rather than the command, because only then does go-plugin make a folder
// for the process's unix sockets where the tier says
// (UnixSocketConfig.TempDir), name it to the process (PLUGIN_UNIX_SOCKET_DIR)
// and put its own sockets there, instead of in the temporary folder.
type cmdRunner struct {
	cmd            *exec.Cmd
	stdout, stderr io.ReadCloser
}

var _ runner.Runner = (*cmdRunner)(nil)

// runnerFunc returns the ClientConfig.RunnerFunc that runs cmd: it takes
// the environment and standard input go-plugin prepared (in its own
// command) and reports the process's socket folder to folder.
func runnerFunc(cmd *exec.Cmd, folder func(string)) func(hclog.Logger, *exec.Cmd, string) (runner.Runner, error) {
	return func(_ hclog.Logger, prepared *exec.Cmd, socketDir string) (runner.Runner, error) {
		cmd.Env = append(cmd.Env, prepared.Env...)
		cmd.Stdin = prepared.Stdin
		folder(socketDir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return nil, err
		}
		return &cmdRunner{cmd: cmd, stdout: stdout, stderr: stderr}, nil
	}
}

func (r *cmdRunner) Start(context.Context) error { return r.cmd.Start() }

func (r *cmdRunner) Wait(context.Context) error { return r.cmd.Wait() }

func (r *cmdRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	if err := r.cmd.Process.Kill(); !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (r *cmdRunner) Stdout() io.ReadCloser { return r.stdout }

func (r *cmdRunner) Stderr() io.ReadCloser { return r.stderr }

// Name is the executable as the process sees it (its os.Args[0]).
func (r *cmdRunner) Name() string { return r.cmd.Args[0] }

// ID is the process id; "0" before the start (not "", which would keep
// go-plugin's Kill from removing the socket folder).
func (r *cmdRunner) ID() string {
	if r.cmd.Process == nil {
		return "0"
	}
	return strconv.Itoa(r.cmd.Process.Pid)
}

// Diagnose adds nothing: startError says why a process did not start.
func (r *cmdRunner) Diagnose(context.Context) string { return "" }

// The host and the plugin see the same addresses.
func (r *cmdRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *cmdRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
