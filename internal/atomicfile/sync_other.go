//go:build !unix

package atomicfile

// SyncDir does nothing on systems without a way to flush a folder's
// entries (Windows): there a rename is as durable as the file system
// makes it.
func SyncDir(dir string) error { return nil }
