//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"syscall"
)

// SyncDir flushes the entries of the folder dir to disk, so that a rename
// or a creation in it survives a crash of the machine. File systems that
// cannot flush a folder (EINVAL, ENOTSUP) are not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
