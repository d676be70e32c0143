//go:build unix

package cli

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// canReexec: this system replaces a process's program in place (exec), so
// the server can restart itself with the same process identifier.
const canReexec = true

// reexec replaces the process with a new run of exe, with argv and env,
// once the server has stopped. Every file descriptor but stdin, stdout and
// stderr is marked close-on-exec first (Go opens its own so already; this
// covers any a library opened otherwise), so that nothing of this run (a
// listening socket, the base directory's lock) passes into the next. It
// returns only when the exec failed.
func reexec(exe string, argv, env []string) error {
	closeOnExecAll()
	err := syscall.Exec(exe, argv, env)
	return fmt.Errorf("restart: cannot execute %s: %w", exe, err)
}

// closeOnExecAll marks every open file descriptor above 2 close-on-exec,
// as /proc/self/fd (Linux) or /dev/fd (the BSDs, macOS) lists them.
func closeOnExecAll() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		entries, err = os.ReadDir("/dev/fd")
	}
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}
