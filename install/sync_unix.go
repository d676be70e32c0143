//go:build unix

package install

import (
	"errors"
	"os"
	"syscall"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
)

// syncDirs flushes the entries of each folder to disk, so that a rename
// or creation in it survives a crash of the machine.
func syncDirs(dirs ...string) error {
	done := make(map[string]bool, len(dirs))
	for _, dir := range dirs {
		if done[dir] {
			continue
		}
		done[dir] = true
		if err := atomicfile.Flush(dir); err != nil {
			return err
		}
	}
	return nil
}

// lockDir opens folder dir and takes an exclusive flock on it, without
// waiting; the lock goes when the returned file is closed, or the process
// ends. A folder locked by another open file (in this process or another)
// is errLocked.
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return f, nil
}
