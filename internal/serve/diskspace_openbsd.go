package serve

import "syscall"

// diskSpace returns the free and total bytes of the file system of dir
// (0 when unknown). OpenBSD names Statfs_t's fields apart from the other
// unixes (see diskspace_unix.go).
func diskSpace(dir string) (free, total uint64) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, 0
	}
	avail := st.F_bavail // below 0 while the root's reserve is in use: none free
	if avail < 0 {
		avail = 0
	}
	bsize := uint64(st.F_bsize)
	return uint64(avail) * bsize, st.F_blocks * bsize
}
