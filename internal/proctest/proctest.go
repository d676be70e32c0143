// Package proctest holds the small, system-dependent checks the project's
// tests and benchmarks make on processes: whether a process is gone, and
// how much CPU time this process has used. Each has one implementation per
// family of systems (proctest_unix.go, proctest_windows.go and
// proctest_other.go), so a test that uses them type-checks and runs
// wherever the project builds.
//
// Where a system offers no way to tell (neither a unix nor Windows: Plan 9,
// js/wasm, wasip1), Supported is false, Gone reports false and CPUTime
// returns 0; a test that depends on them skips there with SkipUnsupported.
package proctest

import "testing"

// SkipUnsupported skips tb, saying why, where Gone and CPUTime cannot tell
// on this system (Supported is false). Elsewhere it does nothing.
func SkipUnsupported(tb testing.TB) {
	tb.Helper()
	if !Supported {
		tb.Skip("proctest: this system offers no way to tell whether a process is gone")
	}
}
