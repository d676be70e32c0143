//go:build !linux

package metrics

// usage is what the system tells of a process; only Linux is read.
type usage struct {
	rss int64
	cpu float64
}

// readUsage reports false: the memory and CPU time of plugin processes are
// read from /proc, on Linux only, and left out elsewhere.
func readUsage(int) (usage, bool) { return usage{}, false }
