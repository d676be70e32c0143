//go:build unix

package process

import (
	"os"

	"golang.org/x/sys/unix"
)

// identify returns the identity of the open file f, and whether the system
// gives one.
func identify(f *os.File) (fileIdentity, bool) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fileIdentity{}, false
	}
	return fileIdentity{
		Dev:   uint64(st.Dev),
		Ino:   uint64(st.Ino),
		Size:  st.Size,
		Mtime: st.Mtim.Nano(),
		Ctime: st.Ctim.Nano(),
	}, true
}
