//go:build linux

package process

import (
	"os/exec"
	"syscall"
)

// dieWithHost makes the kernel kill the plugin when the host's thread that
// started it ends, even when the host is killed with SIGKILL. The SDK also
// watches its parent, for the other systems and for thread exits.
func dieWithHost(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
