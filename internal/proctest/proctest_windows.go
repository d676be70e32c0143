//go:build windows

package proctest

import (
	"errors"
	"syscall"
	"time"
)

// Supported is true: on Windows, Gone and CPUTime can tell.
const Supported = true

// errInvalidParameter is ERROR_INVALID_PARAMETER, OpenProcess's error for a
// pid that no process has.
const errInvalidParameter syscall.Errno = 87

// stillActive is the exit code GetExitCodeProcess reports for a process
// that still runs (STILL_ACTIVE).
const stillActive = 259

// Gone reports whether process pid no longer runs: no process pid can be
// opened (ERROR_INVALID_PARAMETER), or it has an exit code. Unlike a unix
// zombie, a process that ended while someone still holds a handle to it is
// gone. A process that exists but may not be queried by this one (access
// denied) is not gone.
func Gone(pid int) bool {
	h, err := syscall.OpenProcess(syscall.PROCESS_QUERY_INFORMATION, false, uint32(pid))
	if err != nil {
		return errors.Is(err, errInvalidParameter)
	}
	defer syscall.CloseHandle(h)
	var code uint32
	if syscall.GetExitCodeProcess(h, &code) != nil {
		return false
	}
	return code != stillActive
}

// CPUTime returns the CPU time (user and kernel, every thread) this process
// has used so far, from GetProcessTimes, or 0 if that fails.
func CPUTime() time.Duration {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	var creation, exit, kernel, user syscall.Filetime
	if syscall.GetProcessTimes(h, &creation, &exit, &kernel, &user) != nil {
		return 0
	}
	// A Filetime counts 100 ns intervals; Nanoseconds would read it as a
	// date since 1601.
	ticks := func(f syscall.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration(ticks(kernel)+ticks(user)) * 100
}
