//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"syscall"
)

// Flush flushes the file at path, or the entries of the folder at path, to
// disk, so that what was written, renamed or created there survives a
// crash of the machine. File systems that cannot flush a folder (EINVAL,
// ENOTSUP) are not an error.
func Flush(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
