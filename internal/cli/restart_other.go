//go:build !unix

package cli

import (
	"errors"
	"runtime"
)

// canReexec: this system cannot replace a process's program in place, so
// the server offers no restart (its system commands leave the restarts
// out).
const canReexec = false

// reexec is never called where canReexec is false.
func reexec(exe string, argv, env []string) error {
	return errors.New("restart: " + runtime.GOOS + " cannot re-execute a process; start the server again")
}
