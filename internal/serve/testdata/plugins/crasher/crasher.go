// Package crasher is a plugin that kills its process during its enable when
// the file "crash" exists in the base directory: a start that never
// completes, for the server's quarantine test.
package crasher

import (
	"os"
	"path/filepath"
	"syscall"

	"github.com/tentacle-go/tentacle"
)

// ID is the plugin's identifier.
const ID = "crasher"

type crasher struct{ tentacle.Base }

func (c *crasher) Initialize() error {
	data, err := c.DataFolder()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(data)), "crash")); err == nil {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return nil
}

// New returns a fresh definition of the plugin.
func New() *tentacle.Definition {
	return &tentacle.Definition{Name: "Crasher", Version: "0.1.0", Implementation: &crasher{}}
}
