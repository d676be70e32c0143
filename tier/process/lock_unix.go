//go:build unix

package process

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f without waiting; the lock goes
// with the file's last descriptor, when the process ends at the latest.
func tryLock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// ownedByUs reports whether f belongs to this process's user.
func ownedByUs(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
