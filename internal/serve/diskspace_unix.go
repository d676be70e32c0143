//go:build unix

package serve

import "syscall"

// diskSpace returns the free and total bytes of the file system of dir
// (0 when unknown).
func diskSpace(dir string) (free, total uint64) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, 0
	}
	return st.Bavail * uint64(st.Bsize), st.Blocks * uint64(st.Bsize)
}
