// Package cli implements the tentacle command line.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/tier"
)

// Exit statuses of [Main].
const (
	exitOK      = 0 // the command did what was asked
	exitFailure = 1 // the command failed; the message says why
	exitUsage   = 2 // the command line was wrong (unknown command or flag, missing argument)
)

// Main runs the command line with args and returns the exit status: 0 on
// success, 1 when the command failed, 2 for a usage error. Errors are
// printed to stderr, prefixed with "tentacle: ".
func Main(args []string, stdout, stderr io.Writer) int {
	return MainOrigins(args, stdout, stderr)
}

// MainOrigins is Main with plugin sources scanned after the bundled plugins
// (a host binary with plugins of its own, or a test's).
func MainOrigins(args []string, stdout, stderr io.Writer, extra ...tier.Origin) int {
	root := newRoot(stdout, stderr, extra)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code // the command has said why
	}
	fmt.Fprintln(stderr, "tentacle:", err)
	var ue usageError
	if errors.As(err, &ue) {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitFailure
}

// exitError ends the program with a status, the command having already
// printed why.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// usageError is a mistake in the command line rather than a failure of the
// command: Main prints a hint and exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exactArgs is cobra.ExactArgs with a usage error naming what is expected.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < n:
			return usagef("%s: missing %s", cmd.CommandPath(), what)
		case len(args) > n:
			return usagef("%s: unexpected argument %q (takes only %s)", cmd.CommandPath(), args[n], what)
		}
		return nil
	}
}

// noArgs is cobra.NoArgs with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s: unexpected argument %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// group makes cmd a command that only holds subcommands: run alone it
// prints its help, and with an unknown subcommand it fails with a usage
// error (cobra would print the help and succeed).
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's default
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean \"%s\"?)", strings.Join(s, `" or "`))
		}
		return usageError{errors.New(msg)}
	}
	return cmd
}

// options are the flags every command shares.
type options struct {
	basedir string
	offline bool
	extra   []tier.Origin
	stdout  io.Writer
	stderr  io.Writer
	// tty: stderr is a terminal, where installs show their progress.
	tty bool
}

func newRoot(stdout, stderr io.Writer, extra []tier.Origin) *cobra.Command {
	o := &options{stdout: stdout, stderr: stderr, extra: extra, tty: isTerminal(stderr)}
	root := group(&cobra.Command{
		Use:   "tentacle",
		Short: "Tentacle: OctoPrint's plugin system in Go, and a host built on it",
		Long: strings.TrimSpace(`
Tentacle: OctoPrint's plugin system in Go, and a host built on it.

The base directory holds config.yaml, plugins/, packages/ and data/. It is
--basedir if given, else $TENTACLE_BASEDIR, else ~/.tentacle.

Exit status: 0 on success, 1 when the command failed, 2 for a usage error.`),
		SilenceUsage:  true,
		SilenceErrors: true,
	})
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&o.basedir, "basedir", "", "base directory (default $TENTACLE_BASEDIR or ~/.tentacle)")
	root.PersistentFlags().BoolVar(&o.offline, "offline", false, "work on the base directory even when its server is running")
	root.AddCommand(newPluginsCommand(o), newServeCommand(o), newSafeModeCommand(o), newUsersCommand(o), newPrintCommand(o), newPrinterCommand(o), newLogsCommand(o))
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
