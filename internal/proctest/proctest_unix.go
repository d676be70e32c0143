//go:build unix

package proctest

import (
	"errors"
	"syscall"
	"time"
)

// Supported is true: on a unix, Gone and CPUTime can tell.
const Supported = true

// Gone reports whether no process pid exists: kill(pid, 0) fails with
// ESRCH. A zombie (a process that ended and was not yet reaped by its
// parent) still exists, so it is not gone; a process that exists but may
// not be signalled by this one (EPERM) is not gone either.
func Gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// CPUTime returns the CPU time (user and system, every thread) this process
// has used so far, from getrusage(RUSAGE_SELF), or 0 if that fails.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
