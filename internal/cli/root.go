// Package cli implements the tentacle command line.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// Main runs the command line with args and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintln(stderr, "tentacle:", err)
		return 1
	}
	return 0
}

// exitError ends the program with a status, its message already printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// options are the flags every command shares.
type options struct {
	basedir string
	stdout  io.Writer
	stderr  io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	o := &options{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "tentacle",
		Short:         "Tentacle: OctoPrint's plugin system in Go, and a host built on it",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&o.basedir, "basedir", "", "base directory (default $TENTACLE_BASEDIR or ~/.tentacle)")
	root.AddCommand(newPluginsCommand(o))
	return root
}

// baseDir resolves the base directory: --basedir, then TENTACLE_BASEDIR,
// then ~/.tentacle.
func (o *options) baseDir() (string, error) {
	dir := o.basedir
	if dir == "" {
		dir = os.Getenv("TENTACLE_BASEDIR")
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no base directory: set --basedir or TENTACLE_BASEDIR (%w)", err)
		}
		dir = filepath.Join(home, ".tentacle")
	}
	return filepath.Abs(dir)
}
