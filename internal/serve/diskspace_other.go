//go:build !unix

package serve

// diskSpace returns 0, 0: unknown.
func diskSpace(string) (free, total uint64) { return 0, 0 }
