//go:build !unix

package atomicfile

import "os"

// Flush flushes the file at path to disk. A folder's entries cannot be
// flushed here (Windows): a rename is as durable as the file system makes
// it, so a folder is not an error.
func Flush(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		return err
	}
	return f.Sync()
}
