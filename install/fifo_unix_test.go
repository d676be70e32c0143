//go:build unix

package install

import (
	"syscall"
	"testing"
)

// fifo makes a named pipe at path.
func fifo(t testing.TB, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
