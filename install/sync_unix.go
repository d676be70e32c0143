//go:build unix

package install

import (
	"errors"
	"os"
	"syscall"
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
		if err := syncPath(dir); err != nil {
			return err
		}
	}
	return nil
}

// syncPath flushes the file or folder at path to disk. File systems that
// cannot flush it (EINVAL) are taken as they are.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
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
