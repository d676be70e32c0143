//go:build unix && !openbsd

package serve

import "syscall"

// diskSpace returns the free and total bytes of the file system of dir
// (0 when unknown).
func diskSpace(dir string) (free, total uint64) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, 0
	}
	// The fields' types differ from one unix to another: Bavail is signed
	// on FreeBSD (below 0 while the root's reserve is in use: none free).
	avail := int64(st.Bavail)
	if avail < 0 {
		avail = 0
	}
	bsize := uint64(st.Bsize)
	return uint64(avail) * bsize, uint64(st.Blocks) * bsize
}
