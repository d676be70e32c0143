//go:build !unix

package install

import (
	"os"
)

// syncDirs cannot flush folders here: renames are as durable as the file
// system makes them.
func syncDirs(...string) error { return nil }

// lockDir cannot lock where flock is not available: Recover must then run
// only while no install does (at the server's start).
func lockDir(string) (*os.File, error) { return nil, nil }
