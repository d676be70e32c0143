//go:build !unix

package install

import "os"

// syncDirs cannot flush folders here: renames are as durable as the file
// system makes them.
func syncDirs(...string) error { return nil }

// syncPath flushes the file at path to disk.
func syncPath(path string) error {
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

// lockDir cannot lock where flock is not available: Recover must then run
// only while no install does (at the server's start).
func lockDir(string) (*os.File, error) { return nil, nil }
