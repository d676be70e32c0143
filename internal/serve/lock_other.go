//go:build !unix

package serve

import "os"

// lockBaseDir does nothing where flock is not available.
func lockBaseDir(string) (*os.File, error) { return nil, nil }
