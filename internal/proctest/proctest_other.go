//go:build !unix && !windows

package proctest

import "time"

// Supported is false: this system offers no way to tell whether a process
// is gone or how much CPU time it used.
const Supported = false

// Gone reports false: on this system it cannot tell (Supported is false).
func Gone(int) bool { return false }

// CPUTime returns 0: on this system it cannot tell (Supported is false).
func CPUTime() time.Duration { return 0 }
